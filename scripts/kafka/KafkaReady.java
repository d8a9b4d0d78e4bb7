import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Readiness probe for scripts/kafka.sh: waits until every given client config sees all the
 * given broker ids registered (Metadata/DescribeCluster), or fails at the deadline, or as soon
 * as one of the given broker processes has exited.
 *
 * usage: KafkaReady TIMEOUT_SECONDS BROKER_IDS PIDS CLIENT_PROPERTIES...
 *   BROKER_IDS and PIDS are comma-separated; PIDS may be "-" for none.
 */
public final class KafkaReady {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: KafkaReady TIMEOUT_SECONDS BROKER_IDS PIDS CLIENT_PROPERTIES...");
            System.exit(2);
        }
        long deadline = System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L;
        Set<Integer> want = parseList(args[1]);
        Set<Integer> pids = args[2].equals("-") ? Set.of() : parseList(args[2]);
        for (String file : Arrays.copyOfRange(args, 3, args.length)) {
            waitFor(file, want, pids, deadline);
        }
    }

    private static void waitFor(String file, Set<Integer> want, Set<Integer> pids, long deadline)
            throws Exception {
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            props.load(in);
        }
        // Short timeouts: a broker that is still starting should cost one poll, not a minute.
        props.putIfAbsent("request.timeout.ms", "2000");
        props.putIfAbsent("default.api.timeout.ms", "3000");
        props.putIfAbsent("socket.connection.setup.timeout.ms", "1000");
        props.putIfAbsent("socket.connection.setup.timeout.max.ms", "1000");
        props.putIfAbsent("reconnect.backoff.max.ms", "250");
        props.putIfAbsent("retry.backoff.ms", "100");
        String last = "no answer";
        try (Admin admin = Admin.create(props)) {
            while (true) {
                for (int pid : pids) {
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        fail(file, "broker process " + pid + " exited; last probe: " + last);
                    }
                }
                try {
                    Set<Integer> seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                            .nodes().get().stream().map(Node::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    if (seen.containsAll(want)) {
                        return;
                    }
                    last = "registered brokers " + seen + ", waiting for " + want;
                } catch (ExecutionException e) {
                    last = String.valueOf(e.getCause());
                }
                if (System.nanoTime() - deadline > 0) {
                    fail(file, "not ready before the deadline; last probe: " + last);
                }
                Thread.sleep(200);
            }
        }
    }

    private static Set<Integer> parseList(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void fail(String file, String message) {
        System.err.println("KafkaReady (" + file + "): " + message);
        System.exit(1);
    }
}
