"""The flow runtime: executor, step handlers, templating and the Deno code runtime."""
