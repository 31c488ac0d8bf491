//! `memberkit`: the operator's command. Everything is in the library, so the Python package can
//! run the same command (`python -m memberkit`).

fn main() {
    std::process::exit(memberkit_cli::run(std::env::args_os()));
}
