//! What tests of anything that takes uploads need: image files good and hostile, and a
//! real S3-protocol server. Built with the `testing` feature only.

mod moto;
pub mod samples;

pub use moto::Moto;
