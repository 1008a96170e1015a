// Minimal types for the parts of autocannon 9 that bench/bench.ts uses (the package ships none).
declare module "autocannon" {
  type Histogram = { average: number; mean: number; stddev: number; min: number; max: number; total: number; p50: number; p90: number; p99: number; p999: number };
  type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  type Options = { url: string; connections?: number; duration?: number; pipelining?: number; method?: string; headers?: Record<string, string>; body?: string; requests?: Request[] };
  type Result = { requests: Histogram; latency: Histogram; throughput: Histogram; errors: number; timeouts: number; non2xx: number; duration: number };
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
