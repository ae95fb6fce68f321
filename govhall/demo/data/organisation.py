"""乌审旗 (内蒙古鄂尔多斯市) — centres, departments, windows and staff of the demo.

Plain tables; ``govhall.demo.loaders`` turns them into records through the org
services. Natural keys: centre ``code``, department ``key`` (→ its 统一社会信用代码 via
``make_uscc(serial)``), window ``(centre, number)``, staff ``username``.
"""

from __future__ import annotations

import datetime as dt

PASSWORD = "govhall2026"
STATIONED_SINCE = dt.date(2023, 9, 1)  # 乌政务中心发〔2023〕4号 “三集中三到位”之后
AUTH_SIGNED_ON = dt.date(2025, 12, 28)
AUTH_VALID_FROM = dt.date(2026, 1, 1)
AUTH_VALID_TO = dt.date(2027, 12, 31)

COMPLAINT_CONTACT = "0477-7212345（旗政务服务局监督投诉）；12345政务服务便民热线"
HOURS = "周一至周五 上午8:30-12:00，下午14:30-17:30（夏季15:00-18:00）；周六延时服务 9:00-12:00"

# code, name, level, parent code, address, phone
COUNTY = (
    "150626",
    "乌审旗政务服务中心",
    "county",
    None,
    "乌审旗嘎鲁图镇萨拉乌苏大街政务服务大厦",
    "0477-7212345",
)
TOWNSHIPS = [
    ("150626100", "嘎鲁图镇便民服务中心", "嘎鲁图镇团结路12号", "0477-7218100"),
    ("150626101", "乌审召镇便民服务中心", "乌审召镇召庙街8号", "0477-7361101"),
    ("150626102", "图克镇便民服务中心", "图克镇工业园区服务楼一层", "0477-7456102"),
    ("150626103", "无定河镇便民服务中心", "无定河镇河南街3号", "0477-7551103"),
    ("150626200", "苏力德苏木便民服务中心", "苏力德苏木政府院内", "0477-7621200"),
]
# code, name, township code
VILLAGES = [
    ("150626100001", "萨拉乌苏社区便民服务站", "150626100"),
    ("150626100002", "团结社区便民服务站", "150626100"),
    ("150626100201", "查汗庙嘎查便民服务站", "150626100"),
    ("150626101201", "乌审召嘎查便民服务站", "150626101"),
    ("150626101202", "巴音敖包嘎查便民服务站", "150626101"),
    ("150626102201", "梅林庙嘎查便民服务站", "150626102"),
    ("150626103201", "大沟湾村便民服务站", "150626103"),
    ("150626103202", "河南村便民服务站", "150626103"),
    ("150626200201", "沙尔利格嘎查便民服务站", "150626200"),
]

# key, serial (→ make_uscc), name, short name, approval, competent, supervising, phone
DEPARTMENTS = [
    ("approval", 1, "乌审旗行政审批和政务服务局", "政务服务局", True, True, False, "0477-7212300"),
    ("market", 2, "乌审旗市场监督管理局", "市场监管局", True, True, True, "0477-7212311"),
    ("land", 3, "乌审旗自然资源局", "自然资源局", True, True, True, "0477-7212322"),
    ("housing", 4, "乌审旗住房和城乡建设局", "住建局", True, True, True, "0477-7212333"),
    ("hrss", 5, "乌审旗人力资源和社会保障局", "人社局", True, True, True, "0477-7212344"),
    ("health", 6, "乌审旗卫生健康委员会", "卫健委", True, True, True, "0477-7212355"),
    ("civil", 7, "乌审旗民政局", "民政局", True, True, True, "0477-7212366"),
    ("transport", 8, "乌审旗交通运输局", "交通运输局", True, True, True, "0477-7212377"),
    ("police", 9, "乌审旗公安局", "公安局", True, True, True, "0477-7212110"),
    ("medical", 10, "乌审旗医疗保障局", "医保局", True, True, True, "0477-7212388"),
    ("education", 11, "乌审旗教育体育局", "教体局", True, True, True, "0477-7212399"),
    ("agri", 12, "乌审旗农牧局", "农牧局", True, True, True, "0477-7212400"),
    ("tax", 13, "国家税务总局乌审旗税务局", "税务局", True, True, False, "0477-12366"),
    ("eco", 14, "鄂尔多斯市生态环境局乌审旗分局", "生态环境分局", True, True, True, "0477-7212411"),
    ("culture", 15, "乌审旗文化旅游体育局", "文旅体局", False, True, True, "0477-7212422"),
    ("emergency", 16, "乌审旗应急管理局", "应急管理局", False, True, True, "0477-7212433"),
]
# Office addresses (办公地址): where citizens go for items not handled in the centre
# (负面清单, 未进驻). Invented for the demo, in the county seat 嘎鲁图镇.
DEPARTMENT_ADDRESSES = {
    "approval": "嘎鲁图镇萨拉乌苏大街政务服务中心",
    "market": "嘎鲁图镇团结路18号",
    "land": "嘎鲁图镇查干淖尔街9号",
    "housing": "嘎鲁图镇锡尼路26号",
    "hrss": "嘎鲁图镇萨拉乌苏大街31号",
    "health": "嘎鲁图镇文化路12号",
    "civil": "嘎鲁图镇民族街5号",
    "transport": "嘎鲁图镇乌审召路40号",
    "police": "嘎鲁图镇团结路2号",
    "medical": "嘎鲁图镇文化路20号",
    "education": "嘎鲁图镇学府路3号",
    "agri": "嘎鲁图镇牧业路16号",
    "tax": "嘎鲁图镇萨拉乌苏大街45号",
    "eco": "嘎鲁图镇环城北路7号",
    "culture": "嘎鲁图镇文化路1号",
    "emergency": "嘎鲁图镇安康路11号",
}
# Departments with a desk in every township 便民服务中心 (社保、医保、民政、市场监管所).
TOWNSHIP_DEPARTMENTS = ["hrss", "medical", "civil", "market"]

# centre code, number, name, type, department key, open
WINDOWS = [
    ("150626", "01", "综合受理一（无差别受理）", "comprehensive", None, True),
    ("150626", "02", "综合受理二（无差别受理）", "comprehensive", None, True),
    ("150626", "03", "综合受理三（工程建设项目）", "comprehensive", None, True),
    ("150626", "04", "综合受理四（企业开办）", "comprehensive", None, True),
    ("150626", "05", "公安户籍专窗", "department", "police", True),
    ("150626", "06", "公安车驾管专窗", "department", "police", True),
    ("150626", "07", "税务专窗一", "department", "tax", True),
    ("150626", "08", "税务专窗二", "department", "tax", True),
    ("150626", "09", "不动产登记专窗一", "department", "land", True),
    ("150626", "10", "不动产登记专窗二", "department", "land", True),
    ("150626", "11", "综合出件", "result", None, True),
    ("150626", "12", "综合出件（邮寄送达）", "result", None, True),
    ("150626", "13", "有诉即办（“办不成事”反映窗口）", "complaint", None, True),
    ("150626", "14", "跨域通办", "cross_region", None, True),
    ("150626", "15", "潮汐窗口一", "tidal", None, True),
    ("150626", "16", "潮汐窗口二", "tidal", None, False),
    ("150626", "17", "帮办代办", "comprehensive", None, True),
] + [
    row
    for code, *_ in TOWNSHIPS
    for row in (
        (code, "01", "综合受理", "comprehensive", None, True),
        (code, "02", "综合出件", "result", None, True),
    )
]

# The one account per role printed by load_demo (username, role, department key).
DEMO_ACCOUNTS = [
    ("admin", "centre_admin", None),
    ("chief", "chief_rep", "approval"),
    ("clerk", "window_clerk", None),
    ("approver", "approver", "approval"),
    ("supervisor", "supervisor", None),
]

# username, name, gender, role, centre code, department key, window number
STAFF = [
    ("admin", "王建军", "M", "centre_admin", "150626", None, None),
    ("admin2", "乌云其其格", "F", "centre_admin", "150626", None, None),
    ("supervisor", "刘志强", "M", "supervisor", "150626", None, None),
    ("supervisor2", "张丽娜", "F", "supervisor", "150626", None, None),
    ("clerk", "李晓燕", "F", "window_clerk", "150626", None, "01"),
    ("clerk2", "巴图孟和", "M", "window_clerk", "150626", None, "02"),
    ("clerk3", "赵敏", "F", "window_clerk", "150626", None, "03"),
    ("clerk4", "郝俊峰", "M", "window_clerk", "150626", None, "04"),
    ("clerk5", "高娜仁", "F", "window_clerk", "150626", None, "11"),
    ("clerk6", "孙鹏", "M", "window_clerk", "150626", None, "12"),
    ("clerk7", "斯琴高娃", "F", "window_clerk", "150626", None, "13"),
    ("clerk8", "杨帆", "M", "window_clerk", "150626", None, "14"),
    ("clerk9", "陈静", "F", "window_clerk", "150626", None, "15"),
    ("clerk10", "白宇", "M", "window_clerk", "150626", None, "17"),
    ("galutu_clerk", "敖登格日乐", "F", "window_clerk", "150626100", None, "01"),
    ("wushenzhao_clerk", "额尔敦毕力格", "M", "window_clerk", "150626101", None, "01"),
    ("tuke_clerk", "马红梅", "F", "window_clerk", "150626102", None, "01"),
    ("wudinghe_clerk", "贺永刚", "M", "window_clerk", "150626103", None, "01"),
    ("sulide_clerk", "其木格", "F", "window_clerk", "150626200", None, "01"),
    ("salawusu_agent", "田慧", "F", "window_clerk", "150626100001", None, None),
    ("tuanjie_agent", "苏和", "M", "window_clerk", "150626100002", None, None),
    ("wushenzhao_agent", "那仁满都拉", "M", "window_clerk", "150626101201", None, None),
    ("meilinmiao_agent", "萨仁图雅", "F", "window_clerk", "150626102201", None, None),
    ("dagouwan_agent", "杜建平", "M", "window_clerk", "150626103201", None, None),
    ("shaerlige_agent", "阿拉腾花", "F", "window_clerk", "150626200201", None, None),
    # 首席代表 (one per department) and 审批人员
    ("chief", "张海峰", "M", "chief_rep", "150626", "approval", None),
    ("approver", "吴晓丽", "F", "approver", "150626", "approval", None),
    ("approval_approver2", "王志刚", "M", "approver", "150626", "approval", None),
    ("approval_approver3", "宝音", "M", "approver", "150626", "approval", None),
    ("market_chief", "刘海英", "F", "chief_rep", "150626", "market", None),
    ("market_approver", "郭鹏飞", "M", "approver", "150626", "market", None),
    ("market_approver2", "乌兰", "F", "approver", "150626", "market", None),
    ("land_chief", "韩志军", "M", "chief_rep", "150626", "land", "09"),
    ("land_approver", "李娜", "F", "approver", "150626", "land", "10"),
    ("land_approver2", "布仁巴雅尔", "M", "approver", "150626", "land", None),
    ("housing_chief", "冯建国", "M", "chief_rep", "150626", "housing", None),
    ("housing_approver", "郑雅琴", "F", "approver", "150626", "housing", None),
    ("hrss_chief", "周文斌", "M", "chief_rep", "150626", "hrss", None),
    ("hrss_approver", "托娅", "F", "approver", "150626", "hrss", None),
    ("hrss_approver2", "贾振华", "M", "approver", "150626", "hrss", None),
    ("health_chief", "曹丽君", "F", "chief_rep", "150626", "health", None),
    ("health_approver", "胡日查", "M", "approver", "150626", "health", None),
    ("civil_chief", "石俊杰", "M", "chief_rep", "150626", "civil", None),
    ("civil_approver", "娜仁高娃", "F", "approver", "150626", "civil", None),
    ("civil_approver2", "闫晓东", "M", "approver", "150626", "civil", None),
    ("transport_chief", "任海军", "M", "chief_rep", "150626", "transport", None),
    ("transport_approver", "庞晓梅", "F", "approver", "150626", "transport", None),
    ("police_chief", "吉日嘎拉", "M", "chief_rep", "150626", "police", "05"),
    ("police_approver", "王静", "F", "approver", "150626", "police", "06"),
    ("police_approver2", "康志勇", "M", "approver", "150626", "police", None),
    ("medical_chief", "薛春燕", "F", "chief_rep", "150626", "medical", None),
    ("medical_approver", "朝鲁门", "M", "approver", "150626", "medical", None),
    ("education_chief", "崔立新", "M", "chief_rep", "150626", "education", None),
    ("education_approver", "包金花", "F", "approver", "150626", "education", None),
    ("agri_chief", "奥其尔", "M", "chief_rep", "150626", "agri", None),
    ("agri_approver", "侯玉兰", "F", "approver", "150626", "agri", None),
    ("agri_approver2", "特日格乐", "M", "approver", "150626", "agri", None),
    ("tax_chief", "梁晓峰", "M", "chief_rep", "150626", "tax", "07"),
    ("tax_approver", "武秀英", "F", "approver", "150626", "tax", "08"),
    ("eco_chief", "哈斯朝鲁", "M", "chief_rep", "150626", "eco", None),
    ("eco_approver", "罗丹", "F", "approver", "150626", "eco", None),
    ("culture_chief", "图雅", "F", "chief_rep", "150626", "culture", None),
    ("culture_approver", "牛国栋", "M", "approver", "150626", "culture", None),
    ("emergency_chief", "邢建伟", "M", "chief_rep", "150626", "emergency", None),
    ("emergency_approver", "查干", "M", "approver", "150626", "emergency", None),
]
