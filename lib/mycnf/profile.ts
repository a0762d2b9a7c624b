/**
 * A memory profile derived from the environment's limit, so many small environments fit on one machine
 * (an idle node with the 256 MB profile stays around 55 MB RSS).
 */
export function memoryProfile(memoryMb: number): Record<string, string> {
  const pool = Math.max(16, Math.floor(memoryMb / 4 / 8) * 8);
  const small = memoryMb < 1024;
  return {
    innodb_buffer_pool_size: `${pool}M`,
    innodb_log_file_size: `${Math.max(8, Math.min(512, Math.floor(pool / 2)))}M`,
    innodb_log_buffer_size: small ? "4M" : "16M",
    key_buffer_size: small ? "4M" : "16M",
    aria_pagecache_buffer_size: small ? "4M" : "64M",
    tmp_table_size: small ? "16M" : "64M",
    max_heap_table_size: small ? "16M" : "64M",
    max_connections: String(small ? 60 : 151),
    performance_schema: small ? "OFF" : "ON",
  };
}
