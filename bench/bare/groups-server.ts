/**
 * The baseline of bench/groups.bench.ts: a plain socket.io server that seats every socket asking
 * `joinGroup` in a room of 8 and answers as monta-server does (`newMember` to the room, then `groupInfo`
 * to the joiner, and the same object as the acknowledgement), with nothing else: no token check, no
 * database, no Redis, no limits. Settings (environment): PORT, HOST.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

interface Seat {
  member_id: string;
  image_url: string;
  nickname: string;
  joinedAtUTC: string;
}

const ROOM_SIZE = 8;
const http = createServer((request, response) => {
  response.writeHead(request.url === '/health/live' ? 200 : 404, { 'content-type': 'application/json' });
  response.end('{"status":"ok"}');
});
const io = new Server(http, { cors: { origin: false } });
const rooms = new Map<string, Seat[]>();
let filling: { id: string; seats: Seat[] } | undefined;

io.on('connection', (socket) => {
  socket.on('joinGroup', (_body: unknown, ack?: (info: unknown) => void) => {
    if (!filling || filling.seats.length >= ROOM_SIZE) filling = { id: randomUUID(), seats: [] };
    const room = filling;
    const seat: Seat = {
      member_id: randomUUID(),
      image_url: '',
      nickname: socket.id,
      joinedAtUTC: new Date().toISOString(),
    };
    room.seats.push(seat);
    rooms.set(room.id, room.seats);
    void socket.join(room.id);
    socket.data.room = room.id;
    io.to(room.id).emit('newMember', seat);
    const info = { groupId: room.id, members: room.seats };
    socket.emit('groupInfo', info);
    ack?.(info);
  });
  socket.on('disconnect', () => {
    const seats = rooms.get(socket.data.room as string);
    if (seats && seats.length <= 1) rooms.delete(socket.data.room as string);
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => io.close(() => process.exit(0)));
