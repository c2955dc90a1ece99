fn main() -> std::process::ExitCode {
    tally::main()
}
