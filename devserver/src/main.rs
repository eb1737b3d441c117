fn main() {
    eprintln!("aerospike-devserver: not implemented yet");
    std::process::exit(1);
}
