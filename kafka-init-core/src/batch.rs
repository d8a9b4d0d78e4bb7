//! Splitting admin requests to fit the controller's limits: one CreateTopics
//! (or CreatePartitions, or IncrementalAlterConfigs) request is one atomic
//! metadata batch of at most 10,000 records and 10,000 new partitions; one
//! over either fails whole with POLICY_VIOLATION ("Unable to perform
//! excessively large batch operation").
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

/// Records one request may produce on the controller.
pub(crate) const MAX_RECORDS: usize = 10_000;
/// New partitions one request may create.
pub(crate) const MAX_PARTITIONS: usize = 10_000;

/// What one item costs a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cost {
    pub records: usize,
    pub partitions: usize,
}

/// Splits `items`, in order, into the fewest consecutive batches whose
/// summed costs stay within the limits. An item over a limit on its own
/// gets a batch to itself (the broker then says why it is too big).
pub(crate) fn split<T>(items: Vec<T>, cost: impl Fn(&T) -> Cost) -> Vec<Vec<T>> {
    let mut batches: Vec<Vec<T>> = Vec::new();
    let mut current = Vec::new();
    let (mut records, mut partitions) = (0, 0);
    for item in items {
        let c = cost(&item);
        if !current.is_empty()
            && (records + c.records > MAX_RECORDS || partitions + c.partitions > MAX_PARTITIONS)
        {
            batches.push(std::mem::take(&mut current));
            (records, partitions) = (0, 0);
        }
        records += c.records;
        partitions += c.partitions;
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(&(records, partitions): &(usize, usize)) -> Cost {
        Cost {
            records,
            partitions,
        }
    }

    #[test]
    fn small_requests_stay_whole() {
        let items = vec![(3, 1); 1000];
        let batches = split(items, cost);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].len(), 1000);
    }

    #[test]
    fn records_split_exactly_at_the_limit() {
        // 2,500 topics of 4 records each: 10,000 records fit, one more does not.
        let batches = split(vec![(4, 1); 2501], cost);
        assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [2500, 1]);
    }

    #[test]
    fn partitions_split_before_records_do() {
        // 101 partitions per item: 99 items reach 9,999 partitions, the
        // 100th would pass 10,000.
        let batches = split(vec![(1, 101); 200], cost);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [99, 99, 2]
        );
        for b in &batches {
            assert!(b.iter().map(|c| c.1).sum::<usize>() <= MAX_PARTITIONS);
            assert!(b.iter().map(|c| c.0).sum::<usize>() <= MAX_RECORDS);
        }
    }

    #[test]
    fn an_oversized_item_goes_alone_and_order_is_kept() {
        let batches = split(vec![(1, 1), (20_000, 20_000), (1, 1)], cost);
        assert_eq!(
            batches,
            [vec![(1, 1)], vec![(20_000, 20_000)], vec![(1, 1)]]
        );
    }

    #[test]
    fn nothing_to_send_is_no_request() {
        assert!(split(Vec::<(usize, usize)>::new(), cost).is_empty());
    }
}
