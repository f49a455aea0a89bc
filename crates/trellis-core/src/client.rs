//! Who is on the other end of a request.

use std::net::IpAddr;

/// Where a request comes from, as the server found it (the peer, or a
/// trusted proxy's `X-Forwarded-For`); `None` when unknown. Rate limits
/// are kept per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientAddr(pub Option<IpAddr>);
