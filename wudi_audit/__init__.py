"""wudi-audit: 吴地工匠项目制培训补贴申领批次审核 / training-subsidy claim audit."""

__version__ = "0.1.0"
