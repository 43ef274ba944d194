#!/usr/bin/env node
// Starts the Cosmos DB stand-in (@vercel/cosmosdb-server) with one fix: resource ids in the URL-safe form
// Cosmos DB itself uses.
//
// The stand-in writes a resource id (_rid) as plain base64, so one database in every 64 (the 63rd, the
// 127th, ...) gets an id with a '/' in it. The SDK puts those ids in request paths (the partition key
// ranges of a container are read by /dbs/{rid}/colls/{rid}/pkranges), the stand-in's router splits
// the id at the '/', and the request fails with 404 "GetTargetPartitionKeyRanges ... stale cache".
// Cosmos DB writes '-' where base64 has '/'; so does this.
"use strict";
const path = require("path");

const nodeModules = process.env.URM_NODE_MODULES || path.join(__dirname, "../../.ci/node/node_modules");
const packageDir = path.join(nodeModules, "@vercel/cosmosdb-server");
const ResourceId = require(path.join(packageDir, "lib/account/resource-id.js")).default;

ResourceId.toBase64String = (buffer) => buffer.toString("base64").replace(/\//g, "-");
ResourceId.fromBase64String = (s) => Buffer.from(s.replace(/-/g, "/"), "base64");

require(path.join(packageDir, "lib/cli.js"));
