from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "papersift.agents"
    label = "agents"
    verbose_name = "MCP server for agents"
