//! What the store takes and gives back, by aggregate (as `queries/` is
//! split), all re-exported here and at the crate root.

mod accounts;
mod cohorts;
mod endorsements;
mod federation;
mod mentorships;
mod moves;
mod operations;
mod outbox;
mod profiles;
mod recognition;
mod reviews;
mod sessions;
mod settings;
mod skills;
mod tracks;

pub use accounts::*;
pub use cohorts::*;
pub use endorsements::*;
pub use federation::*;
pub use mentorships::*;
pub use moves::*;
pub use operations::*;
pub use outbox::*;
pub use profiles::*;
pub use recognition::*;
pub use reviews::*;
pub use sessions::*;
pub use settings::*;
pub use skills::*;
pub use tracks::*;
