"""The monitoring report: a static Dutch site for the evaluators, made from the serving file."""

from orchestration.report.build import Report, build_report

__all__ = ["Report", "build_report"]
