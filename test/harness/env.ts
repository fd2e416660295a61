// Before n8n-core loads: keep its logger quiet in test output (errors are asserted, not printed).
process.env.N8N_LOG_LEVEL ??= 'silent';
