//! The member's home: their mentorships with what to do next, what they
//! have not read, and the drift warning.

use askama::Template;
use axum::extract::State;
use trellis_app::dashboard::{self, Dashboard, MentorshipCard, NextStep};
use trellis_core::growth::DriftInsight;

use crate::i18n::Arg;
use crate::kit::{chrome, fail, member, page};
use crate::render::{Chrome, PageResult};
use crate::visitor::{Visitor, Web};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    d: Dashboard,
}

impl HomePage {
    /// What to do next in a mentorship, in words.
    fn next(&self, card: &MentorshipCard) -> String {
        let key = match card.next {
            NextStep::Answer => "next-answer",
            NextStep::AwaitAnswer => "next-await-answer",
            NextStep::SubmitReviewPart { .. } => "next-submit-review",
            NextStep::AwaitReviewPart { .. } => "next-await-review",
            NextStep::StartReview => "next-start-review",
            NextStep::LogSession => "next-log-session",
            NextStep::Resume => "next-resume",
            NextStep::Nothing => "next-nothing",
        };
        self.c.t(key)
    }

    /// The drift warning in a sentence.
    fn drift_summary(&self, drift: &DriftInsight) -> String {
        self.c.lang.with(
            "drift-summary",
            &[
                ("reviews", drift.reviews.into()),
                ("rise", Arg::Number(f64::from(drift.off_plan_rise))),
                ("plan_rise", Arg::Number(f64::from(drift.plan_rise))),
            ],
        )
    }
}

pub async fn home(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let d = dashboard::dashboard(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &HomePage { c, d })
}
