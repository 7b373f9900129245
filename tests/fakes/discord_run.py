"""Run the real ``copkit`` command line with discord.py pointed at a fake Discord.

    python tests/fakes/discord_run.py http://127.0.0.1:PORT/api/v10 ws://127.0.0.1:PORT/gateway run …

The two redirects are the only change; everything else (settings, ``copkit run``, the adapter,
sharding, signals) is the shipped code.
"""

from __future__ import annotations

import sys

import discord.gateway
import discord.http
import yarl

from copkit.cli import main

if __name__ == "__main__":
    discord.http.Route.BASE = sys.argv[1]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
    sys.exit(main(sys.argv[3:]))
