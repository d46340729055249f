// Bytes per answer of an event's seat maps in each coding, each compressed answer checked to decode
// to the same JSON as the plain one (at the same version: nothing writes while this runs).
import type http from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { request } from "./http-load.ts";

export interface CodedBytes {
  identity: number;
  gzip: number;
  br: number;
}

const decode = (coding: string | undefined, body: Buffer): Buffer =>
  coding === "gzip" ? gunzipSync(body) : coding === "br" ? brotliDecompressSync(body) : body;

async function codedBytes(agent: http.Agent, url: string): Promise<CodedBytes> {
  const plain = await request(agent, url);
  if (plain.status !== 200) throw new Error(`GET ${url}: ${plain.status}`);
  const sizes: CodedBytes = { identity: plain.body.length, gzip: 0, br: 0 };
  for (const coding of ["gzip", "br"] as const) {
    const answer = await request(agent, url, { headers: { "accept-encoding": coding } });
    if (answer.headers["content-encoding"] !== coding) throw new Error(`GET ${url}: not sent in ${coding}`);
    if (!decode(coding, answer.body).equals(plain.body))
      throw new Error(`GET ${url}: ${coding} decodes to other bytes`);
    sizes[coding] = answer.body.length;
  }
  return sizes;
}

export async function answerBytes(agent: http.Agent, eventUrl: string) {
  return {
    full: await codedBytes(agent, `${eventUrl}/tickets`),
    compact: await codedBytes(agent, `${eventUrl}/tickets?format=compact`),
    layout: await codedBytes(agent, `${eventUrl}/layout`),
  };
}
