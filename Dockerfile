# XAI Lab, self-hosted. CPU by default; for a CUDA machine build with
#   docker build --build-arg BASE_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 -t xai-lab:cuda .
# (a CUDA base image needs Python 3.11+ and pip; the PyPI torch wheel brings its own CUDA libs).
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860 \
    GRADIO_ANALYTICS_ENABLED=False \
    TORCH_HOME=/home/lab/.cache/torch \
    HF_HOME=/home/lab/.cache/huggingface

RUN useradd --create-home --uid 1000 lab
WORKDIR /home/lab/app

# The README's install step.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=lab:lab app.py spaces.yaml ./
COPY --chown=lab:lab lab ./lab
COPY --chown=lab:lab tabs ./tabs
COPY --chown=lab:lab core ./core

USER lab
# Fetch every model's weights at build time when the network allows; without network the
# image still builds and the lab runs with the bundled offline model.
RUN python -m lab prefetch || echo "prefetch incomplete: the lab will use the offline model"

EXPOSE 7860
# The README's serve command.
CMD ["python", "app.py"]
