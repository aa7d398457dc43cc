//! The `runner` program, built inside the e2e test package so tests can spawn
//! it (`CARGO_BIN_EXE_runner-e2e`); identical code to the `runner` binary.

fn main() -> std::process::ExitCode {
    runner::main()
}
