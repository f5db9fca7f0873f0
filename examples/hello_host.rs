//! A host in a few lines: it overrides `fd_write` (into a buffer), `clock_time_get`,
//! `random_get`, the argument functions and an empty environment; every other WASI import answers `ENOSYS`.
//!
//! ```text
//! cargo run --example hello_host -- [GUEST.wasm] [ARGS...]
//! ```
//!
//! Without a `.wasm` path it runs the bundled Rust guest `tests/guests/fixtures/rust-hello.wasm`, then
//! prints what the guest wrote to stdout and stderr and how it ended.

use std::time::{SystemTime, UNIX_EPOCH};

use wasi_stubs::preview1::{self, Clockid, Errno, Fd, Size, Timestamp, WasiSnapshotPreview1};
use wasi_stubs::{Ctx, Error, Exit, GuestMemory, GuestPtr, wasi_stubs};
use wasmtime::{Engine, Linker, Module, Store};

#[derive(Default)]
struct Host {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    args: Vec<String>,
    seed: u64,
}

#[wasi_stubs(override(
    fd_write,
    clock_time_get,
    random_get,
    args_sizes_get,
    args_get,
    environ_sizes_get,
    environ_get
))]
impl WasiSnapshotPreview1 for Host {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: preview1::CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        let out = match fd.raw() {
            1 => &mut self.stdout,
            2 => &mut self.stderr,
            _ => return Err(Errno::Badf.into()),
        };
        Ok(mem.gather(iovs, |bytes| out.extend_from_slice(bytes))?)
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        match id {
            Clockid::Realtime | Clockid::Monotonic => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                Ok(now.as_nanos() as u64)
            }
            _ => Err(Errno::Inval.into()),
        }
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        len: Size,
    ) -> Result<(), Error<Errno>> {
        // A toy generator (xorshift) keeps the example free of dependencies; use a CSPRNG for real.
        for byte in mem.bytes_mut(buf, len)? {
            self.seed ^= self.seed << 13;
            self.seed ^= self.seed >> 7;
            self.seed ^= self.seed << 17;
            *byte = self.seed as u8;
        }
        Ok(())
    }

    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok(wasi_stubs::string_table_sizes(&self.args)?)
    }

    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        Ok(mem.write_string_table(argv, argv_buf, &self.args)?)
    }

    // An empty environment: guests' standard libraries read it at start-up and give up on ENOSYS.
    fn environ_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok((0, 0))
    }

    fn environ_get(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        _environ: GuestPtr<GuestPtr<u8>>,
        _environ_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        Ok(())
    }
}

fn main() -> wasmtime::Result<()> {
    let mut cli = std::env::args().skip(1).peekable();
    let path = match cli.next_if(|arg| arg.ends_with(".wasm")) {
        Some(path) => path,
        None => concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/guests/fixtures/rust-hello.wasm"
        )
        .into(),
    };
    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
    let host = Host {
        args: std::iter::once(name).chain(cli).collect(),
        seed: 0x2545_F491_4F6C_DD1D,
        ..Host::default()
    };

    let engine = Engine::default();
    let module = Module::from_file(&engine, &path)?;
    let mut linker = Linker::new(&engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<Host>| ctx)?;
    let mut store = Store::new(&engine, Ctx::new(host));
    let instance = linker.instantiate(&mut store, &module)?;
    if let Some(memory) = instance.get_memory(&mut store, "memory") {
        store.data_mut().bind_memory(memory);
    }

    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    let code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<Exit>() {
            Some(exit) => exit.code,
            None => return Err(e),
        },
    };

    let host = store.into_data().into_host();
    println!("--- guest stdout ({} bytes)", host.stdout.len());
    print!("{}", String::from_utf8_lossy(&host.stdout));
    println!("--- guest stderr ({} bytes)", host.stderr.len());
    print!("{}", String::from_utf8_lossy(&host.stderr));
    println!("--- guest exited with code {code}");
    std::process::exit(code as i32);
}
