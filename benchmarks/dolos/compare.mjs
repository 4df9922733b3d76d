// Dolos on every answer cell of a class, for benchmarks/similarity.py --engine dolos (not used by the kit).
// Reads a JSON spec {grade_id: {paths, ignore, k, w, common}} and writes, per grade id, each file's
// fingerprinted k-grams (less the ignored ones) and, per pair, the k-grams each side shares.
import { Dolos } from "@dodona/dolos-lib";
import fs from "fs";

const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {};
for (const [gid, cell] of Object.entries(spec)) {
  const dolos = new Dolos({ language: "python", kgramLength: cell.k, kgramsInWindow: cell.w,
                            maxFingerprintPercentage: cell.common });
  const report = await dolos.analyzePaths(cell.paths, cell.ignore);
  out[gid] = {
    totals: Object.fromEntries(report.entries().map(e => [e.file.path, e.kgrams.length - e.ignored.size])),
    pairs: report.allPairs().map(p => [p.leftFile.path, p.rightFile.path, p.leftCovered, p.rightCovered]),
  };
}
fs.writeFileSync(process.argv[3], JSON.stringify(out));
