//! What a run did, topic by topic.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub topics: Vec<TopicOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicOutcome {
    pub name: String,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Action {
    Created,
    AlreadyExists,
}

impl Report {
    pub fn created(&self) -> impl Iterator<Item = &TopicOutcome> {
        self.topics
            .iter()
            .filter(|t| matches!(t.action, Action::Created))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.topics.iter().map(|t| t.name.len()).max().unwrap_or(5);
        writeln!(f, "{:width$}  ACTION", "TOPIC")?;
        for t in &self.topics {
            let action = match t.action {
                Action::Created => "created",
                Action::AlreadyExists => "already exists",
            };
            writeln!(f, "{:width$}  {action}", t.name)?;
        }
        Ok(())
    }
}
