/**
 * The gateway bench's load generator, run as a process of its own so that its work is not in the
 * server's CPU count: autocannon, with the paths of a lane taken in turn across all connections.
 *   echo '{"url","seconds","connections","headers","paths"?}' | node bench/load.mjs
 * prints autocannon's result as JSON. Without `paths`, every request asks for `url` itself.
 */
import { text } from 'node:stream/consumers';
import autocannon from 'autocannon';

const o = JSON.parse(await text(process.stdin));
const paths = Array.isArray(o.paths) && o.paths.length > 0 ? o.paths : null;
let next = 0;
autocannon(
  {
    url: o.url,
    duration: o.seconds,
    connections: o.connections,
    headers: o.headers,
    ...(paths === null
      ? {}
      : {
          requests: [
            {
              setupRequest: (req) => {
                req.path = paths[next++ % paths.length];
                return req;
              },
            },
          ],
        }),
  },
  (err, result) => {
    if (err) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  },
);
