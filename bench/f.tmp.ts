import http from 'node:http';
import { SmsCapture } from '../test/support/sms-capture.js';
import { SmsWebhookChannel } from '../src/delivery/sms-webhook.channel.js';
const cap = new SmsCapture(); const url = await cap.start();
const ch = new SmsWebhookChannel(url);
const agent = new http.Agent({ keepAlive: true });
const viaHttp = () => new Promise<void>((resolve, reject) => {
  const body = JSON.stringify({ to: '+1', text: 'hello 123456' });
  const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 10000 }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject); req.end(body);
});
async function time(name: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 300; i++) await fn();
  cap.messages.length = 0;
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 2000; i++) await fn();
  const c = process.cpuUsage(c0);
  console.log(name, ((c.user + c.system) / 2000).toFixed(0), 'µs cpu (both ends)', ((performance.now() - t0) / 2).toFixed(0), 'µs wall');
}
await time('fetch channel', () => ch.sendSms({ to: '+1', text: 'hello 123456' }));
await time('node:http', viaHttp);
await cap.stop(); agent.destroy();
