for (const u of ["http://vm:18081/x", "http://127.0.0.2:18082/redir", "http://127.0.0.1:18081/"]) {
  try { const r = await fetch(u); console.log(u, r.status, await r.text()); } catch (e) { console.log(u, "ERR", String(e)); }
}
try { const c = await Deno.connect({hostname: "vm", port: 18081}); console.log("connect vm ok"); c.close(); } catch (e) { console.log("connect vm ERR", String(e)); }
try { const c = await Deno.connect({hostname: "127.0.0.1", port: 18081}); console.log("connect ok"); c.close(); } catch (e) { console.log("connect ERR", String(e)); }
