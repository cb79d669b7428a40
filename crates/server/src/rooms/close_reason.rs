pub use gather_protocol::close::CloseReason;
