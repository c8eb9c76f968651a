"""The application's floor: settings, the workspace, errors, the database schema, users and tokens, durable jobs,
projects and uploads. Every other stage of ``cutproof`` builds on it; it imports none of them."""
