import { createSocket, type Socket } from 'node:dgram';
import dns2 from 'dns2';

// A DNS server on loopback, in the test process: domain verification's TXT lookups go to
// it through DNS_SERVERS (or a TxtResolver built on it), never to the network.

const { Packet } = dns2;
const NXDOMAIN = 3;

export interface TestDnsServer {
  /** For DNS_SERVERS / createTxtResolver: "127.0.0.1:<port>". */
  address: string;
  /**
   * TXT records by name (lower case); a record is a string or its chunks. A name with an
   * empty list answers NOERROR with no records (ENODATA); a name not in the map, NXDOMAIN
   * (ENOTFOUND).
   */
  txt: Map<string, (string | string[])[]>;
  /** Names whose queries get no answer at all (the lookup ends in ETIMEOUT). */
  silent: Set<string>;
  /** Names asked, in order. */
  queries: string[];
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, (string | string[])[]>();
  const queries: string[] = [];
  const silent = new Set<string>();
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      if (request.questions.some((q) => silent.has(q.name.toLowerCase()))) return;
      const response = Packet.createResponseFromRequest(request);
      for (const q of request.questions) {
        const name = q.name.toLowerCase();
        queries.push(name);
        const records = txt.get(name);
        if (!records) response.header.rcode = NXDOMAIN;
        else for (const data of records) response.answers.push({ name: q.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 0, data } as (typeof response.answers)[number]);
      }
      void send(response);
    },
  });
  const { udp } = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return { address: `127.0.0.1:${udp!.port}`, txt, silent, queries, close: () => server.close() };
}

/** A UDP port on loopback that takes queries and never answers: lookups end in ETIMEOUT. */
export async function startSilentDnsServer(): Promise<{ address: string; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** A loopback UDP port with nothing on it (free a moment ago): lookups end in ECONNREFUSED. */
export async function closedDnsPort(): Promise<string> {
  const silent = await startSilentDnsServer();
  await silent.close();
  return silent.address;
}
