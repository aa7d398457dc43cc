//! The `runner` binary; everything lives in the `runner` library.

fn main() -> std::process::ExitCode {
    runner::main()
}
