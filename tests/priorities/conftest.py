from tests.plans.conftest import board, draft_plan, other_planner, published_plan, scrutiny

__all__ = ["board", "draft_plan", "other_planner", "published_plan", "scrutiny"]
