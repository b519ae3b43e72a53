// Preloaded with `node --require ./tools/mcp/loopback.cjs ...`: a server that calls listen(port)
// without a host would listen on every interface (the everything server's streamableHttp
// transport does); this makes it listen on 127.0.0.1 only.
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const port = args[0];
  if ((typeof port === "number" || (typeof port === "string" && /^\d+$/.test(port))) && typeof args[1] !== "string") {
    args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
