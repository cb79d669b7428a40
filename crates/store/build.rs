// `sqlx::migrate!` reads the migrations when this crate is compiled: a new migration file
// must rebuild it, or the binary would ship without it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
