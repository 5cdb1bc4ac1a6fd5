"""The Piecework server: REST API, storage, job queue and worker."""
