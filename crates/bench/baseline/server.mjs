// The baseline gather-bench compares Gather with: a Node.js server of the same protocol,
// written the way the Node.js stack Gather replaces works (Node's http module and the `ws`
// package; state in memory; every recipient gets its own JSON.stringify and its own send).
// Only what gather-bench calls is here, with the same movement rules; it keeps no data
// and checks no passwords, so it is cheaper than a real server, never dearer.
//
//   node server.mjs --port 4800
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 4800);

const users = new Map(); // username -> { id, password }
const tokens = new Map(); // token -> user id
const elements = new Map(); // id -> { width, height, solid }
const maps = new Map(); // id -> { width, height, elements: [{ elementId, x, y }] }
// id -> { width, height, solid: Set<"x,y">, occupied: Set<"x,y">, people: Map<userId, { x, y, ws }> }
const spaces = new Map();

const routes = {
  'GET /healthz': () => [200, {}],
  'POST /api/v1/signup': (body) => {
    if (users.has(body.username)) return [400, { error: 'username-taken' }];
    const id = randomUUID();
    users.set(body.username, { id, password: body.password });
    return [200, { userId: id }];
  },
  'POST /api/v1/signin': (body) => {
    const user = users.get(body.username);
    if (!user || user.password !== body.password) return [403, { error: 'invalid-credentials' }];
    const token = randomUUID();
    tokens.set(token, user.id);
    return [200, { token, userId: user.id }];
  },
  'GET /api/v1/me': (_body, who) => (who ? [200, { id: who }] : [403, { error: 'unauthorized' }]),
  'POST /api/v1/admin/element': (body, who) => {
    if (!who) return [403, { error: 'unauthorized' }];
    const id = randomUUID();
    elements.set(id, { width: body.width, height: body.height, solid: body.static });
    return [200, { id }];
  },
  'POST /api/v1/admin/map': (body, who) => {
    if (!who) return [403, { error: 'unauthorized' }];
    const [width, height] = body.dimensions.split('x').map(Number);
    const id = randomUUID();
    maps.set(id, { width, height, elements: body.defaultElements || [] });
    return [200, { id }];
  },
  'POST /api/v1/space': (body, who) => {
    const map = maps.get(body.mapId);
    if (!who || !map) return [400, { error: 'unknown-map' }];
    const solid = new Set();
    for (const placed of map.elements) {
      const element = elements.get(placed.elementId);
      if (!element?.solid) continue;
      for (let dx = 0; dx < element.width; dx++) {
        for (let dy = 0; dy < element.height; dy++) solid.add(`${placed.x + dx},${placed.y + dy}`);
      }
    }
    const id = randomUUID();
    spaces.set(id, { width: map.width, height: map.height, solid, occupied: new Set(), people: new Map() });
    return [200, { spaceId: id }];
  },
};

const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    const route = routes[`${req.method} ${req.url}`];
    const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
    let answer = [404, { error: 'not-found' }];
    if (route) {
      try {
        answer = route(text ? JSON.parse(text) : {}, tokens.get(bearer));
      } catch {
        answer = [400, { error: 'bad-json' }];
      }
    }
    res.writeHead(answer[0], { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer[1]));
  });
});

const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => {
  let joined = null; // { space, userId }
  ws.on('message', (data) => {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return ws.send(JSON.stringify({ type: 'error', payload: { code: 'bad-json' } }));
    }
    if (frame.type === 'join' && !joined) {
      const space = spaces.get(frame.payload?.spaceId);
      const userId = tokens.get(frame.payload?.token);
      if (!space || !userId) return ws.close(4000);
      const spawn = freeTile(space);
      if (!spawn) return ws.close(4000);
      const others = [...space.people].map(([id, p]) => ({ userId: id, x: p.x, y: p.y }));
      space.people.set(userId, { x: spawn.x, y: spawn.y, ws });
      space.occupied.add(`${spawn.x},${spawn.y}`);
      joined = { space, userId };
      ws.send(JSON.stringify({ type: 'space-joined', payload: { spawn, userId, users: others } }));
      broadcast(space, userId, () => ({ type: 'user-joined', payload: { userId, x: spawn.x, y: spawn.y } }));
    } else if (frame.type === 'move' && joined) {
      const { space, userId } = joined;
      const me = space.people.get(userId);
      const { x, y } = frame.payload || {};
      if (!allowed(space, me, x, y)) {
        return ws.send(JSON.stringify({ type: 'movement-rejected', payload: { x: me.x, y: me.y } }));
      }
      space.occupied.delete(`${me.x},${me.y}`);
      space.occupied.add(`${x},${y}`);
      me.x = x;
      me.y = y;
      broadcast(space, userId, () => ({ type: 'movement', payload: { userId, x, y } }));
    }
  });
  ws.on('close', () => {
    if (!joined) return;
    const { space, userId } = joined;
    const me = space.people.get(userId);
    space.occupied.delete(`${me.x},${me.y}`);
    space.people.delete(userId);
    broadcast(space, userId, () => ({ type: 'user-left', payload: { userId } }));
  });
});

// One JSON.stringify and one send per recipient, as the stack this stands for does.
function broadcast(space, except, frame) {
  for (const [id, person] of space.people) {
    if (id !== except) person.ws.send(JSON.stringify(frame()));
  }
}

function allowed(space, me, x, y) {
  if (!Number.isInteger(x) || !Number.isInteger(y)) return false;
  if (x < 0 || y < 0 || x >= space.width || y >= space.height) return false;
  if (Math.abs(x - me.x) + Math.abs(y - me.y) !== 1) return false;
  return !space.solid.has(`${x},${y}`) && !space.occupied.has(`${x},${y}`);
}

function freeTile(space) {
  for (let tries = 0; tries < 1000; tries++) {
    const x = Math.floor(Math.random() * space.width);
    const y = Math.floor(Math.random() * space.height);
    if (!space.solid.has(`${x},${y}`) && !space.occupied.has(`${x},${y}`)) {
      return { x, y };
    }
  }
  return null;
}

server.listen(port, '127.0.0.1', () => console.log(`baseline listening on 127.0.0.1:${port}`));
