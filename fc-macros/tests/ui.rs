//! Compile-time behaviour of `#[handler]`: what it accepts, and the error for each mistake.
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p fc-macros --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
