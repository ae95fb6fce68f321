"""Demo complaints (issue 12 §2) for the demo county 乌审旗, loaded through the services
as real people (audited): a 知识库 of published answers, complaints in every state of
the loop (待受理 … 已评价满意/不满意, 退单, 督办 late ones, a reopened one, a complaint
about a staff member handled by the centre, 直接办结 from the 知识库), and the 12345
sample file (``demo_data/12345-sample.json``, the documented format) imported through
``exchange.import_orders``.

Deterministic and idempotent: each scenario is keyed by its subject, each entry by its
question, the file by its hash; loading again creates nothing. Each scenario runs with
the clock frozen some days back, so deadlines, lights and 督办 are real."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from govhall.core import actors, clock
from govhall.org.models import Department, Staff
from govhall.testing.factories import make_uscc

from . import exchange, services
from .models import Complaint, KnowledgeEntry, State

SAMPLE = Path(__file__).parent / "demo_data" / "12345-sample.json"

# question, answer, keywords, department key (demo data/organisation.py)
KNOWLEDGE = [
    (
        "营业执照遗失了怎么补办？",
        "可登录内蒙古自治区政务服务网申请补领，或携带本人身份证到旗政务服务中心市场监管窗口办理，当场补发。无需登报声明，可在国家企业信用信息公示系统免费公示遗失。",
        "营业执照 遗失 补领 补办",
        "market",
    ),
    (
        "个体工商户注册需要什么材料？",
        "经营者身份证、经营场所使用证明（房产证或租赁合同），登记申请书可在窗口填写。材料齐全当场办结，“一网通办”可全程网上办理。",
        "个体工商户 注册 开店 营业执照",
        "market",
    ),
    (
        "社保卡怎么激活？丢了怎么补？",
        "新卡携带身份证到人社窗口或合作银行网点激活；遗失先拨打12333或在“内蒙古人社”APP挂失，再到窗口申请补卡，即时制卡窗口当场领卡。",
        "社保卡 激活 挂失 补卡 社保",
        "hrss",
    ),
    (
        "灵活就业人员怎么参加养老保险？",
        "持身份证到人社窗口登记，或在“内蒙古人社”APP办理参保登记；缴费基数在全区上年度平均工资的60%至300%之间自选档次，可通过税务APP或银行按月、按季缴纳。",
        "灵活就业 养老保险 缴费 档次 社保",
        "hrss",
    ),
    (
        "异地就医备案怎么办理？",
        "可在国家医保服务平台APP或“蒙速办”直接备案，也可到医保窗口办理。异地长期居住人员和临时外出就医人员均可备案，备案后在就医地定点医院直接结算。",
        "异地就医 备案 医保 结算",
        "medical",
    ),
    (
        "身份证过期了怎么换领？行动不便能上门吗？",
        "携带旧身份证（或户口簿）到公安窗口换领，可异地办理。70岁以上老人、重病或残疾行动不便的，可拨打公安窗口电话预约上门采集。",
        "身份证 换领 过期 上门 老人",
        "police",
    ),
    (
        "不动产证（房产证）过户需要哪些材料？",
        "买卖双方身份证、不动产权证书、购房合同、完税凭证；已婚的提供婚姻证明。在不动产“一窗受理”窗口一次提交，登记、缴税同窗办理，办结后可邮寄。",
        "不动产 房产证 过户 登记",
        "land",
    ),
    (
        "新生儿出生后办哪些事？能一次办吗？",
        "“出生一件事”一次办：出生医学证明、户口登记、医保参保、社保卡申领一次提交，可在政务服务中心“一件事”窗口或网上办理。",
        "新生儿 出生 落户 出生医学证明 一件事",
        "health",
    ),
    (
        "食品经营许可怎么办理？多久能拿证？",
        "仅销售预包装食品的只需备案；其他食品经营者在市场监管窗口或网上申请，承诺时限5个工作日，符合条件的可告知承诺当场发证。",
        "食品经营许可 食品 小吃 许可",
        "market",
    ),
    (
        "政务服务中心的办公时间是什么？周末能办吗？",
        "旗政务服务中心工作日 9:00—12:00、14:30—17:30 办公（夏季下午 15:00—18:00）；周六上午 9:00—12:00 提供延时服务（社保、不动产、户籍窗口）。可提前拨打 0477-7212345 预约。",
        "办公时间 周末 周六 延时服务 预约",
        None,
    ),
    (
        "退休手续在哪里办？需要什么材料？",
        "到达退休年龄前3个月，由单位或本人（灵活就业）到人社窗口申报，提供身份证、户口簿、个人档案；审核通过后次月发放养老金。",
        "退休 养老金 申报",
        "hrss",
    ),
]


def _user(username: str):
    return Staff.objects.select_related("user").get(user__username=username).user


def _dept(key: str) -> Department:
    from govhall.demo.data.organisation import DEPARTMENTS

    serial = next(s for k, s, *_ in DEPARTMENTS if k == key)
    return Department.objects.get(code=make_uscc(serial))


def _knowledge() -> tuple[int, dict[str, KnowledgeEntry]]:
    admin = _user("admin")
    created, entries = 0, {}
    for question, answer, keywords, dept in KNOWLEDGE:
        entry = KnowledgeEntry.objects.filter(question=question).first()
        if entry is None:
            entry = services.create_entry(
                actor=admin,
                question=question,
                answer=answer,
                keywords=keywords,
                department=_dept(dept) if dept else None,
            )
            entry = services.set_published(actor=admin, entry=entry, published=True)
            created += 1
        entries[keywords.split()[0]] = entry
    return created, entries


class _Story:
    """One demo complaint taken step by step, the clock frozen from ``days_back``."""

    def __init__(self, complaint):
        self.c = complaint

    def __call__(self, action: str, username: str | None, hours: int = 3, **inputs):
        clock.advance(hours=hours)
        actor = actors.SYSTEM if username is None else _user(username)
        self.c = services.transition(
            actor=actor, complaint=self.c, action=action, expected_version=self.c.version,
            **inputs,
        )  # fmt: skip
        return self


def _portal(subject, content, *, category="complaint", name="张丽", phone="13904770001"):
    return _Story(
        services.submit_online(
            category=category, subject=subject, content=content, name=name, phone=phone
        )
    )


def _window(subject, content, *, category="complaint", name="王海", phone="13904770002", **kw):
    return _Story(
        services.receive_at_window(
            actor=_user("clerk"),
            category=category,
            subject=subject,
            content=content,
            name=name,
            phone=phone,
            **kw,
        )
    )


def _through_reply(s: _Story, dept: str, reply: str, chief: str | None = None):
    chief = chief or f"{dept}_chief"
    if s.c.state == State.SUBMITTED:
        s("accept", "clerk", hours=1)
    s("assign", "clerk", handler=_dept(dept), opinion="请按期办理并答复诉求人")
    s("handle", chief, opinion="已安排专人核实")
    return s("reply", chief, hours=20, reply=reply)


def _scenarios(entries) -> list[tuple[str, int, object]]:
    """(subject, days back, story): each builds one complaint in a chosen state."""

    def submitted():
        _portal(
            "营业执照变更网上提交后一直未审核",
            "11月28日在网上提交了经营范围变更，至今显示待审核。",
            category="help",
            name="陈立新",
            phone="13904770011",
        )

    def accepted():
        _portal(
            "政务服务中心停车位不足",
            "工作日上午中心门前停车位经常停满，办事群众只能停在路边。",
            category="suggestion",
            name="苏和",
            phone="13904770012",
        )("accept", "clerk", opinion="受理，转办前核实")

    def assigned():
        s = _portal(
            "食品经营许可证办理时限过长",
            "9天前提交食品经营许可申请，超过承诺时限仍未发证。",
            name="马晓红",
            phone="13904770013",
        )
        s("accept", "clerk")(
            "assign", "clerk", handler=_dept("market"), opinion="请核实办理进度并答复"
        )

    def returned():
        s = _portal(
            "小区门口道路破损",
            "团结路与锡尼路交叉口路面塌陷，雨天积水。",
            name="白玉山",
            phone="13904770014",
        )
        s("accept", "clerk")("assign", "clerk", handler=_dept("market"))
        s("return", "market_chief", reason="道路维护不属于市场监管职责，建议转住建局")

    def in_progress():
        s = _window(
            "社保窗口工作人员解释不清",
            "办理养老保险转移时，窗口人员说法前后不一，跑了两趟。",
            name="杨桂兰",
            phone="13904770015",
        )
        s("assign", "clerk", handler=_dept("hrss"))(
            "handle", "hrss_chief", opinion="已调取窗口录像核实"
        )

    def replied():
        _through_reply(
            _portal(
                "不动产登记预约号难约",
                "网上预约不动产登记一周都约不上号。",
                name="刘海龙",
                phone="13904770016",
            ),
            "land",
            "已增加周六延时服务号源，并开通电话预约0477-7212322。",
            chief="land_chief",
        )

    def closed():
        s = _through_reply(
            _portal(
                "异地就医备案后仍不能直接结算",
                "在鄂尔多斯市区医院住院出院时不能直接结算。",
                category="help",
                name="田淑芬",
                phone="13904770017",
            ),
            "medical",
            "经核实为就医医院未开通异地结算接口，已协调医院开通，可携带票据到医保窗口手工报销。",
            chief="medical_chief",
        )
        s("close", "clerk", opinion="答复已告知诉求人")

    def visited():
        s = _through_reply(
            _portal(
                "出生医学证明办理需往返多次",
                "新生儿出生医学证明要先到医院再到卫健委，来回跑。",
                category="suggestion",
                name="乌日娜",
                phone="13904770018",
            ),
            "health",
            "已推行“出生一件事”，医院出具后由中心一窗代办，无需往返。",
            chief="health_chief",
        )
        s("close", "clerk")(
            "visit", "clerk", hours=24, method="phone", content="电话回访，诉求人表示已了解新办法"
        )

    def satisfied():
        s = _through_reply(
            _window(
                "交通运输窗口营运证年审排队久",
                "营运证年审上午排队三个小时。",
                name="哈斯",
                phone="13904770019",
            ),
            "transport",
            "已增设自助审验终端并开放网上年审。",
            chief="transport_chief",
        )
        s("close", "clerk")("visit", "clerk", hours=24, method="phone", content="电话回访")
        s("evaluate", "clerk", result="satisfied", opinion="诉求人表示满意")

    def unsatisfied():
        s = _through_reply(
            _portal(
                "农机购置补贴迟迟未发放",
                "今年4月购买的拖拉机补贴至今未到账。",
                name="阿拉坦",
                phone="13904770020",
            ),
            "agri",
            "补贴资金正在按批次拨付，预计年底前到账。",
            chief="agri_chief",
        )
        s("close", "clerk")(
            "visit", "clerk", hours=24, method="phone", content="诉求人认为答复未给出具体时间"
        )
        s("evaluate", "clerk", result="unsatisfied", opinion="要求明确到账时间")
        s(
            "reply",
            "agri_chief",
            hours=48,
            reply="经核实，第三批补贴已于本周拨付至苏木镇，预计5个工作日内到账。",
        )
        s("close", "clerk")("visit", "clerk", hours=24, method="phone", content="二次回访")
        s("evaluate", "clerk", result="unsatisfied", opinion="诉求人仍不满意，认为拖延过久")

    def reopened():
        s = _through_reply(
            _portal(
                "医保窗口报销材料一次告知不全",
                "报销门诊慢病费用，窗口第二次又要求补充材料。",
                name="孟庆华",
                phone="13904770021",
            ),
            "medical",
            "已对窗口人员进行一次性告知制度培训。",
            chief="medical_chief",
        )
        s("close", "clerk")(
            "visit", "clerk", hours=24, method="phone", content="诉求人认为未解决报销问题"
        )
        s("evaluate", "clerk", result="unsatisfied", opinion="要求先办理报销")

    def late_one():
        s = _portal(
            "住房公积金提取审核慢",
            "提交提取申请已二十多天未到账。",
            category="help",
            name="贺建军",
            phone="13904770022",
        )
        s("accept", "clerk")("assign", "clerk", handler=_dept("housing"))

    def late_two():
        s = _window(
            "办理二手车过户被要求重复提交材料",
            "车辆过户时被要求重复提交已在系统中的材料。",
            name="宋志远",
            phone="13904770023",
        )
        s("assign", "clerk", handler=_dept("police"))("handle", "police_chief")

    def returned_then_done():
        s = _portal(
            "噪音扰民无人处理",
            "嘎鲁图镇夜市烧烤店噪音扰民到凌晨。",
            name="李秀珍",
            phone="13904770024",
        )
        s("accept", "clerk")("assign", "clerk", handler=_dept("market"))
        s("return", "market_chief", reason="社会生活噪声应由生态环境部门处理")
        _through_reply(s, "eco", "已联合执法检查，责令商户22时后停止室外经营。", chief="eco_chief")

    def about_staff():
        s = _window(
            "市场监管窗口工作人员态度生硬",
            "办理营业执照变更时窗口人员态度生硬，不耐烦。",
            name="孙立军",
            phone="13904770025",
            about_staff=Staff.objects.get(user__username="market_approver"),
        )
        s("assign", "clerk", handler="centre", opinion="投诉工作人员，由中心督查处理")
        s("handle", "admin", opinion="调取录像并约谈当事人")
        s("reply", "admin", hours=24, reply="经调取录像核实，已对当事人批评教育，纳入月度考核。")(
            "close", "admin", hours=26, finding="upheld", opinion="投诉属实，已整改"
        )

    def direct():
        _window(
            "社保卡丢了怎么补",
            "来窗口咨询社保卡遗失补办。",
            category="consultation",
            name="吴燕",
            phone="13904770026",
            entry=entries["社保卡"],
        )

    def urgent():
        s = _window(
            "中心电梯故障老人被困",
            "中心二号电梯停在两层之间，有老人被困。",
            category="urgent",
            name="张建华",
            phone="13904770027",
        )
        s("assign", "clerk", hours=0, handler="centre")("handle", "admin", hours=0)
        s("reply", "admin", hours=1, reply="物业已到场20分钟内解困，电梯已停用检修。")(
            "close", "clerk", hours=1
        )

    return [
        ("营业执照变更网上提交后一直未审核", 1, submitted),
        ("政务服务中心停车位不足", 2, accepted),
        ("食品经营许可证办理时限过长", 3, assigned),
        ("小区门口道路破损", 4, returned),
        ("社保窗口工作人员解释不清", 5, in_progress),
        ("不动产登记预约号难约", 8, replied),
        ("异地就医备案后仍不能直接结算", 10, closed),
        ("出生医学证明办理需往返多次", 14, visited),
        ("交通运输窗口营运证年审排队久", 18, satisfied),
        ("农机购置补贴迟迟未发放", 30, unsatisfied),
        ("医保窗口报销材料一次告知不全", 20, reopened),
        ("住房公积金提取审核慢", 25, late_one),
        ("办理二手车过户被要求重复提交材料", 28, late_two),
        ("噪音扰民无人处理", 12, returned_then_done),
        ("市场监管窗口工作人员态度生硬", 9, about_staff),
        ("社保卡丢了怎么补", 6, direct),
        ("中心电梯故障老人被困", 7, urgent),
    ]


def load_demo_complaints(ctx=None) -> dict[str, int]:
    """The 知识库, the scenarios, the 12345 file, then this morning's 督办 run."""
    entries_created, entries = _knowledge()
    today = clock.today()
    made = 0
    for subject, days_back, story in _scenarios(entries):
        if Complaint.objects.filter(subject=subject).exists():
            continue
        start = dt.datetime.combine(today - dt.timedelta(days=days_back), dt.time(9, 30))
        with clock.frozen(start):
            story()
        made += 1
    result = exchange.import_orders(
        actor=_user("clerk"), data=SAMPLE.read_bytes(), file_name=SAMPLE.name
    )
    supervised = services.supervise_overdue(today=today)
    # The messages queued meanwhile are sent by the demo's last loader
    # (govhall/demo/loaders.py load_later_messages).
    return {
        "知识库条目": entries_created,
        "诉求工单": made,
        "12345导入工单": len(result.created),
        "督办": len(supervised),
    }
