//! Credentials: password hashing, access tokens, refresh tokens, and the per-request `Viewer`.

pub mod jwt;
pub mod password;
pub mod tokens;
pub mod viewer;

pub use jwt::{AccessClaims, JwtKeys};
pub use password::PasswordHasher;
pub use viewer::Viewer;
