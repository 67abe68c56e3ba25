// Migrations are embedded at compile time: rebuild when a migration file is added.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
