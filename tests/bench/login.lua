-- wrk script: log in as maker1 again and again (Argon2id in task threads).
wrk.method = "POST"
wrk.body = '{"username":"maker1","password":"demo-password-123"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
