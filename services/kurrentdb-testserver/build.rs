//! Generates the Streams service (server side) from the .proto files that the
//! `kurrentdb` 1.2.0 crate ships (copied unchanged into `protos/`), with protox, so
//! the build needs no `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = ["protos/streams.proto"];
    let descriptors = protox::compile(files, ["protos"])?;
    tonic_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_fds(descriptors)?;
    println!("cargo:rerun-if-changed=protos");
    Ok(())
}
