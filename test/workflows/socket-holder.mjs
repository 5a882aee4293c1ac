// Plays systemd's railyard.socket and Restart=always for the deploy workflow
// test: binds HOST:PORT, hands the listening socket as fd 3 to the supervisor
// script (bash: it starts serve with LISTEN_FDS/LISTEN_PID, again whenever it
// exits), and closes its own copy at once, so only railyard ever accepts and
// connections made while railyard restarts wait in the backlog.
import net from 'node:net';
import { spawn } from 'node:child_process';

const [host, port, script] = process.argv.slice(2);
const server = net.createServer();
server.listen({ host, port: Number(port), backlog: 1024 }, () => {
  const { fd } = server._handle;
  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'inherit', 'inherit', fd] });
  server.close();
  child.on('exit', (code) => process.exit(code ?? 1));
});
