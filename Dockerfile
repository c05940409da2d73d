# The operator and stage-pod image: `python -m diffsync_operator` runs the operator (the
# Deployment's default command); stage pods run `python -m diffsync_operator.worker <stage>`
# in the same image. /app holds examples/ so the sample SyncJobs in deploy/samples run as-is;
# put your own adapters beside them in an image built FROM this one.
#
#   docker build -t diffsync-operator:2.3.0 .
#
# Two stages: the first builds the package and its dependencies into a virtualenv; the
# second copies only that virtualenv onto a fresh slim base (no compilers, no pip cache).

ARG PYTHON_IMAGE=python:3.12-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/diffsync
WORKDIR /src
COPY pyproject.toml README.md ./
COPY diffsync ./diffsync
COPY operator ./operator
RUN /opt/diffsync/bin/pip install --no-compile '.[operator,cli]' \
    && /opt/diffsync/bin/python -m compileall -q /opt/diffsync/lib

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="diffsync-operator" \
      org.opencontainers.image.description="SyncJob operator and stage worker for diffsync" \
      org.opencontainers.image.licenses="Apache-2.0"
# A fixed numeric uid/gid: Kubernetes checks runAsNonRoot against the image's numeric USER.
RUN groupadd --system --gid 10001 diffsync \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /app \
       --shell /usr/sbin/nologin diffsync
COPY --from=build /opt/diffsync /opt/diffsync
ENV PATH=/opt/diffsync/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY --chown=root:root examples ./examples
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["python", "-m", "diffsync_operator"]
