//! Shared pieces of the integration tests: a host that records what it receives and answers
//! deterministically, and a helper to run WAT or wasm guests on it.

pub mod components;
pub mod counting;
pub mod fuzz;

use wasi_stubs::preview1::{self, Clockid, Errno, Fd, Size, Timestamp, WasiSnapshotPreview1};
use wasi_stubs::{Ctx, Error, GuestMemory, GuestPtr, Policy};
use wasmtime::{Engine, Instance, Linker, Module, Store};

/// The 46 functions of `wasi_snapshot_preview1`, in the order of the witx document, written out
/// independently of the generator.
pub const PREVIEW1_NAMES: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// The WAT name of a core wasm type.
pub fn wat_type(ty: wasi_stubs::WasmType) -> &'static str {
    match ty {
        wasi_stubs::WasmType::I32 => "i32",
        wasi_stubs::WasmType::I64 => "i64",
        wasi_stubs::WasmType::F32 => "f32",
        wasi_stubs::WasmType::F64 => "f64",
    }
}

/// The WAT signature of a function, each part after a space: ` (param i32 i64) (result i32)`,
/// or nothing for `() -> ()`.
pub fn wat_signature(f: &wasi_stubs::FuncInfo) -> String {
    let mut sig = String::new();
    for (keyword, types) in [("param", f.params), ("result", f.results)] {
        if !types.is_empty() {
            sig.push_str(" (");
            sig.push_str(keyword);
            for &t in types {
                sig.push(' ');
                sig.push_str(wat_type(t));
            }
            sig.push(')');
        }
    }
    sig
}

/// A host that overrides `fd_write`, `clock_time_get`, `random_get`, `args_sizes_get`,
/// `args_get`, `environ_sizes_get` and `environ_get`, and records every typed call it receives.
#[derive(Debug, Default)]
pub struct Recorder {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// What `clock_time_get(realtime)` answers.
    pub realtime: u64,
    /// What `clock_time_get(monotonic)` answered last; each call adds `tick`.
    pub monotonic: u64,
    pub tick: u64,
    /// The calls received, with their typed arguments.
    pub calls: Vec<String>,
}

impl WasiSnapshotPreview1 for Recorder {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: preview1::CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        self.calls
            .push(format!("fd_write(fd={fd}, iovs={})", iovs.len()));
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
        precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        self.calls
            .push(format!("clock_time_get(id={id}, precision={precision})"));
        match id {
            Clockid::Realtime => Ok(self.realtime),
            Clockid::Monotonic => {
                self.monotonic += self.tick;
                Ok(self.monotonic)
            }
            _ => Err(Errno::Inval.into()),
        }
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<(), Error<Errno>> {
        self.calls
            .push(format!("random_get(buf={buf:?}, buf_len={buf_len})"));
        for (i, b) in mem.bytes_mut(buf, buf_len)?.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(17) ^ 0xA5;
        }
        Ok(())
    }

    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        self.calls.push("args_sizes_get()".into());
        Ok(wasi_stubs::string_table_sizes(&self.args)?)
    }

    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        self.calls
            .push(format!("args_get(argv={argv:?}, argv_buf={argv_buf:?})"));
        Ok(mem.write_string_table(argv, argv_buf, &self.args)?)
    }

    fn environ_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        self.calls.push("environ_sizes_get()".into());
        Ok(wasi_stubs::string_table_sizes(&self.env)?)
    }

    fn environ_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        environ: GuestPtr<GuestPtr<u8>>,
        environ_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        self.calls.push(format!(
            "environ_get(environ={environ:?}, environ_buf={environ_buf:?})"
        ));
        Ok(mem.write_string_table(environ, environ_buf, &self.env)?)
    }
}

/// A guest instantiated on a host of type `H`, with everything of preview1 linked.
pub struct Guest<H: 'static> {
    pub store: Store<Ctx<H>>,
    pub instance: Instance,
}

impl<H: WasiSnapshotPreview1 + 'static> Guest<H> {
    /// Compiles `wasm` (binary or WAT text) and instantiates it on `host` under `policy`.
    pub fn new(wasm: impl AsRef<[u8]>, host: H, policy: Policy) -> wasmtime::Result<Self> {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm)?;
        let mut linker = Linker::new(&engine);
        preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
        let mut store = Store::new(&engine, Ctx::new(host).with_policy(policy));
        let instance = linker.instantiate(&mut store, &module)?;
        Ok(Guest { store, instance })
    }
}

impl<H: 'static> Guest<H> {
    /// Calls the export `name` with the i32 arguments `args`, returning its single i32 result.
    pub fn call(&mut self, name: &str, args: &[i32]) -> wasmtime::Result<i32> {
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| wasmtime::format_err!("no export `{name}`"))?;
        let params: Vec<wasmtime::Val> = args.iter().map(|a| wasmtime::Val::I32(*a)).collect();
        let mut results = [wasmtime::Val::I32(0)];
        func.call(&mut self.store, &params, &mut results)?;
        Ok(results[0].unwrap_i32())
    }

    /// `len` bytes of guest memory at `offset`.
    pub fn memory(&mut self, offset: usize, len: usize) -> Vec<u8> {
        let memory = self
            .instance
            .get_memory(&mut self.store, "memory")
            .expect("the guest exports memory");
        memory.data(&self.store)[offset..offset + len].to_vec()
    }

    /// Overwrites guest memory at `offset` with `bytes`.
    pub fn set_memory(&mut self, offset: usize, bytes: &[u8]) {
        let memory = self
            .instance
            .get_memory(&mut self.store, "memory")
            .expect("the guest exports memory");
        memory.data_mut(&mut self.store)[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    /// The host.
    pub fn host(&self) -> &H {
        self.store.data().host()
    }
}
