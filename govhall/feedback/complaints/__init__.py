"""有诉即办 complaints, the 12345 work order loop, the 知识库 and Open311 (issue 12 §2–3)."""
