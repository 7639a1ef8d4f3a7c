fn main() -> std::process::ExitCode {
    huanjie::cli::main()
}
