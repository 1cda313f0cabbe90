//! The `peergroup` command-line program: see [`peergroup::cli`].

fn main() -> std::process::ExitCode {
    peergroup::cli::main()
}
