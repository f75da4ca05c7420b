//! What one waPC call does to a fresh instance's linear memory, seen on wasmtime directly
//! (the engine under `wasmtime-provider`; the waPC host does not show an instance's memory).
//!
//! Every 4 KiB page an instance writes for the first time is a page fault, paid again by
//! every fresh instance: about 2 µs each on the team's machine, as much as a whole
//! validate of a small pod. So the call is measured in pages: how deep it goes into the
//! stack, and how many pages it writes that the instance's start left untouched.

use wasmtime::{Caller, Engine, Extern, Linker, Module, Store};

/// Where the stack starts: rustc lays out a wasm32 module with its 1 MiB stack first,
/// growing down from here, then the data, then the heap.
pub const STACK_TOP: usize = 1 << 20;
pub const PAGE: usize = 4096;

/// One call on a fresh instance, against the instance as its start left it.
#[derive(Debug)]
pub struct Touched {
    /// Bytes of stack in use at the deepest point reached by the start, then by the call.
    pub start_stack: usize,
    pub call_stack: usize,
    /// Pages the call wrote for the first time, in the stack and elsewhere (heap, data).
    pub new_stack_pages: usize,
    pub new_other_pages: usize,
    /// What the call answered (its response, or its error).
    pub answer: Result<Vec<u8>, String>,
}

struct Exchange {
    operation: Vec<u8>,
    payload: Vec<u8>,
    answer: Option<Result<Vec<u8>, String>>,
}

/// A compiled module and its imports, ready for fresh instances.
pub struct Fresh {
    engine: Engine,
    module: Module,
    linker: Linker<Exchange>,
}

impl Fresh {
    pub fn load(path: &std::path::Path) -> Result<Fresh, String> {
        let engine = Engine::default();
        let module = Module::from_file(&engine, path)
            .map_err(|e| format!("cannot compile {}: {e}", path.display()))?;
        let mut linker: Linker<Exchange> = Linker::new(&engine);
        define_imports(&mut linker).map_err(|e| e.to_string())?;
        // Anything else the module imports traps when called: the policy needs nothing else.
        linker
            .define_unknown_imports_as_traps(&module)
            .map_err(|e| e.to_string())?;
        Ok(Fresh {
            engine,
            module,
            linker,
        })
    }

    /// A new instance, started as a waPC host starts it (`wapc_init`), then one call.
    pub fn call(&self, operation: &str, payload: &[u8]) -> Result<Touched, String> {
        let exchange = Exchange {
            operation: operation.as_bytes().to_vec(),
            payload: payload.to_vec(),
            answer: None,
        };
        let mut store = Store::new(&self.engine, exchange);
        let instance = self
            .linker
            .instantiate(&mut store, &self.module)
            .map_err(|e| format!("cannot instantiate: {e}"))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or("the module exports no memory")?;
        let init = instance
            .get_typed_func::<(), ()>(&mut store, "wapc_init")
            .map_err(|e| e.to_string())?;
        init.call(&mut store, ()).map_err(|e| e.to_string())?;

        let before = memory.data(&store).to_vec();
        let start_stack = stack_in_use(&before)?;
        let guest_call = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "__guest_call")
            .map_err(|e| e.to_string())?;
        let sizes = (operation.len() as i32, payload.len() as i32);
        guest_call
            .call(&mut store, sizes)
            .map_err(|e| format!("__guest_call trapped: {e}"))?;
        let after = memory.data(&store);

        let (mut new_stack_pages, mut new_other_pages) = (0, 0);
        for (i, page) in after.chunks(PAGE).enumerate() {
            let untouched = before
                .get(i * PAGE..)
                .is_none_or(|b| b.iter().take(PAGE).all(|&x| x == 0));
            if untouched && page.iter().any(|&x| x != 0) {
                if (i + 1) * PAGE <= STACK_TOP {
                    new_stack_pages += 1;
                } else {
                    new_other_pages += 1;
                }
            }
        }
        Ok(Touched {
            start_stack,
            call_stack: stack_in_use(after)?,
            new_stack_pages,
            new_other_pages,
            answer: store
                .data_mut()
                .answer
                .take()
                .unwrap_or(Err("the call answered nothing".to_owned())),
        })
    }
}

/// Bytes of stack written so far: from the lowest non-zero byte below [`STACK_TOP`] up.
fn stack_in_use(memory: &[u8]) -> Result<usize, String> {
    let stack = memory
        .get(..STACK_TOP)
        .ok_or("memory smaller than its stack")?;
    match stack.iter().position(|&b| b != 0) {
        Some(lowest) => Ok(STACK_TOP - lowest),
        // A started instance has used its stack: if nothing is there, the layout changed.
        None => Err(format!(
            "no stack below {STACK_TOP:#x}: the module's memory layout is not rustc's stack-first one"
        )),
    }
}

fn memory_of(caller: &mut Caller<'_, Exchange>) -> wasmtime::Result<wasmtime::Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => Ok(memory),
        _ => Err(wasmtime::Error::msg("the module exports no memory")),
    }
}

fn read(caller: &mut Caller<'_, Exchange>, ptr: i32, len: i32) -> wasmtime::Result<Vec<u8>> {
    let memory = memory_of(caller)?;
    let mut bytes = vec![0; len as usize];
    memory.read(caller, ptr as usize, &mut bytes)?;
    Ok(bytes)
}

/// waPC's guest-side imports, and the few WASI functions Rust's std asks for.
fn define_imports(linker: &mut Linker<Exchange>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "wapc",
        "__guest_request",
        |mut caller: Caller<'_, Exchange>, operation: i32, payload: i32| {
            let memory = memory_of(&mut caller)?;
            let (op, body) = (
                caller.data().operation.clone(),
                caller.data().payload.clone(),
            );
            memory.write(&mut caller, operation as usize, &op)?;
            memory.write(&mut caller, payload as usize, &body)?;
            wasmtime::Result::<()>::Ok(())
        },
    )?;
    // The answer: a response, or an error message.
    for (import, is_response) in [("__guest_response", true), ("__guest_error", false)] {
        linker.func_wrap(
            "wapc",
            import,
            move |mut caller: Caller<'_, Exchange>, ptr: i32, len: i32| {
                let bytes = read(&mut caller, ptr, len)?;
                caller.data_mut().answer = Some(if is_response {
                    Ok(bytes)
                } else {
                    Err(String::from_utf8_lossy(&bytes).into_owned())
                });
                wasmtime::Result::<()>::Ok(())
            },
        )?;
    }
    let wasi = "wasi_snapshot_preview1";
    // No environment: zero variables, zero bytes.
    linker.func_wrap(
        wasi,
        "environ_sizes_get",
        |mut caller: Caller<'_, Exchange>, count: i32, size: i32| {
            let memory = memory_of(&mut caller)?;
            memory.write(&mut caller, count as usize, &0u32.to_le_bytes())?;
            memory.write(&mut caller, size as usize, &0u32.to_le_bytes())?;
            wasmtime::Result::<i32>::Ok(0)
        },
    )?;
    linker.func_wrap(wasi, "environ_get", |_: i32, _: i32| 0i32)?;
    // Randomness (hash seeds): zeros will do for one call.
    linker.func_wrap(wasi, "random_get", |_: i32, _: i32| 0i32)?;
    Ok(())
}
