"""Entry point (also what a Hugging Face Space runs): serve the lab with default settings."""

from lab.app import serve
from lab.settings import Settings

if __name__ == "__main__":
    serve(Settings())
