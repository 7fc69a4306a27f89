//! `fc-local`: run any fc handler binary as AWS Lambda or Function Compute would, on a laptop.

fn main() -> std::process::ExitCode {
    fc_local_cli::cli::main()
}
