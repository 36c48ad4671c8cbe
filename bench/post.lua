-- wrk script: POST a 4 KiB body (wrk adds Content-Length) to the URL's path.
wrk.method = "POST"
wrk.body = string.rep("a", 4096)
wrk.headers["Content-Type"] = "application/octet-stream"
