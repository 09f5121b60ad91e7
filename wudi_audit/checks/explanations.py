"""What each rule checks, in Chinese, and what an officer should do about a flag, in
Chinese and English: read by `wudi-audit explain CODE` and the rule documentation. The
English description is the check's docstring (`Rule.doc_en`). A test fails when a
registered code has no entry here, or an entry names a code that is not registered."""

from __future__ import annotations

# code → (what is checked, zh; what to do, zh; what to do, en)
EXPLANATIONS: dict[str, tuple[str, str, str]] = {
    "D001": (
        "本行有必填项为空。线上或线下课时只填了一项时，空的一项按 0 计；两项都空为 D001。"
        "考核结果为空是 T204，不是 D001。",
        "请机构补齐该行的空项后重新报送；补齐前不予补贴。",
        "Ask the provider to fill the empty fields and resubmit; nothing is paid until then.",
    ),
    "D002": (
        "日期、数字或枚举值（考核结果、培训方式）无法识别，如 2026-02-30。",
        "核对原始记录，请机构改正该单元格后重新报送。",
        "Check the source record; ask the provider to correct the cell and resubmit.",
    ),
    "D003": (
        "课时或金额为负数、无穷大或非数值。",
        "请机构核实并改正；负数金额通常是冲销行，应单独处理。",
        "Ask the provider to correct it; a negative amount is usually a reversal, handle it "
        "separately.",
    ),
    "O401": (
        "培训机构不在备案机构名单中（先按统一社会信用代码、再按规范化名称匹配），"
        "或培训期间有某一天不在其任何备案有效期内。",
        "核实机构是否已备案、备案期是否覆盖培训期；未备案的培训不予补贴。",
        "Check the provider's registration and its period; training by an unregistered "
        "provider is not paid.",
    ),
    "O402": (
        "培训机构已被取消资格：取消资格日期不晚于结业日期，或状态为“取消资格”但无日期。",
        "退回该机构取消资格后的培训申领，并通知主管部门。",
        "Return claims for training after the disqualification and inform the bureau.",
    ),
    "O403": (
        "项目编号不在项目目录清单中，或培训期间有某一天不在该项目任何目录条目的有效期内。",
        "核对项目编号是否填错、目录是否已更新；目录外项目不予补贴。",
        "Check the project code and the catalogue version; projects outside it are not paid.",
    ),
    "O404": (
        "机构在名单中，但该项目不在其中标项目之列：疑似转包或委托办班。",
        "调取招标结果和办班记录，核实实际办班机构。",
        "Check the procurement result and who actually ran the class (subcontracting).",
    ),
    "O405": (
        "培训地点不在该机构的备案地点之列（全角半角和空白规范化后比较）：疑似另行设点。",
        "现场核查培训地点，或请机构提供场地备案材料。",
        "Inspect the site or ask the provider for its site registration.",
    ),
    "O406": (
        "培训机构的统一社会信用代码无效（GB 32100-2015：18 位、字符集、校验位）。",
        "核对营业执照上的代码；代码错误的机构无法与备案名单对应。",
        "Check the code against the licence; a wrong code cannot be matched to the register.",
    ),
    "O407": (
        "项目目录清单中的项目，其职业（工种）或项目名称与城乡劳动者职业技能培训项目重合"
        "（由 wudi-audit catalog check 检查目录本身，不对申领批次运行）。",
        "从目录中调整或删除重合的项目，避免同一培训从两个渠道领取补贴。",
        "Remove or change the overlapping entries so one training is not paid twice.",
    ),
    "O408": (
        "申领的培训机构在台账中已有至少 2 个批次（参数 strikes），每个批次都有申领因培训实施"
        "问题（T201–T210）被最终退回。",
        "核实该机构两次未按规定实施培训是否有正当理由；无正当理由的，按通知取消其项目制培训"
        "主体资格，本批次申领暂缓支付。",
        "Establish whether the provider had good reason both times; without one, the notice "
        "removes its eligibility: hold this batch's claims.",
    ),
    "P108": (
        "同一联系电话（去掉空格、横线、括号和 +86 后）出现在至少 3 名不同学员（不同身份证号）的"
        "申领上，本批次或台账中；空号、不足 7 位和同一数字重复的号码不比对。",
        "逐一电话联系学员本人，核实是否真实参训；由机构或组织者统一填写的电话是假学员的常见迹象。",
        "Call each trainee in person to confirm the training; one organiser's phone for many "
        "trainees is a common sign of trainees who never trained.",
    ),
    "P101": (
        "公民身份号码无效：不是 17 位数字加 1 位数字或 X、前两位不是省级代码、出生日期不存在"
        "或在未来、校验码（ISO 7064 MOD 11-2）错误。15 位旧号码升级为 18 位后接受。",
        "请机构核对学员身份证原件后改正；号码无效无法核验资格。",
        "Ask the provider to check the identity card and correct the number.",
    ),
    "P102": (
        "公民身份号码单元格被表格软件存成了数值、科学计数法，或末三位变成 0 且校验失败："
        "Excel 只保留 15 位有效数字，号码无法恢复。",
        "请机构把该列设为文本格式后重新导出；不要手工补全号码。",
        "Ask the provider to export the column as text again; never complete the number by hand.",
    ),
    "P103": (
        "培训开始日不在劳动年龄段：未满 16 周岁，或已达法定退休年龄（按出生年月和性别，"
        "含 2025 年起的渐进式延迟退休）。",
        "核对出生日期和性别；确属超龄或未成年的不予补贴。",
        "Check birth date and sex; trainees outside working age are not paid.",
    ),
    "P104": (
        "学员在培训开始日属于财政供养人员名单。",
        "核实学员身份；财政供养人员不属于补贴对象。",
        "Confirm the person's status; people paid from public funds are not eligible.",
    ),
    "P105": (
        "人员类别为空或不是本市户籍、居住证、毕业年度高校毕业生、离校2年内未就业高校毕业生；"
        "或高校毕业生的毕业时间为空或不在规定期间内。",
        "请机构补充户籍、居住证或毕业证明材料。",
        "Ask the provider for proof of residence, residence permit or graduation.",
    ),
    "P106": (
        "同一公民身份号码在本批次或台账中对应不同姓名（去掉空白后比较）。",
        "核对身份证原件，查明是录入错误还是冒用他人身份。",
        "Check the identity card: a typing error, or somebody using another person's number.",
    ),
    "P107": (
        "同名学员的两个身份证号前 17 位只差一位或相邻两位互换："
        "疑似改号规避年度次数上限或重复申领。",
        "核对两个号码对应的身份证原件，确认是否为同一人。",
        "Check both identity cards: the same person with an altered number?",
    ),
    "S301": (
        "申领金额超过上限：线上课时 × 线上标准 + 线下课时 × 线下标准，标准取项目制最高标准"
        "（或板块标准）与目录中项目标准的较低者，按分比较。",
        "按上限核减，超出部分不予补贴。",
        "Reduce the claim to the cap; the excess is not paid.",
    ),
    "S302": (
        "职业（工种）在就业技能培训补贴标准目录中，且金额超过该目录五级（无五级时为培训合格证）的标准。",
        "按目录标准核减，超出部分不予补贴。",
        "Reduce the claim to the list's standard; the excess is not paid.",
    ),
    "S303": (
        "同一人同一年度（按结业日期）补贴性培训超过规定次数，台账与本批次合并计算。",
        "核对该学员本年度已享受的培训；超过次数的申领不予补贴。",
        "Check the person's trainings this year; claims past the limit are not paid.",
    ),
    "S304": (
        "同一人同一职业（工种）同一等级，在规定天数内（按结业日期）再次申领，台账与本批次合并判断。",
        "核对先前的申领；一年内重复享受的不予补贴。",
        "Check the earlier claim; a repeat within the window is not paid.",
    ),
    "S305": (
        "同一人同一培训项目在规定天数内（按结业日期）再次申领，台账与本批次合并判断。",
        "核对先前的申领；一年内重复申领的不予补贴。",
        "Check the earlier claim; a repeat within the window is not paid.",
    ),
    "S306": (
        "同一身份证号在本批次同一班级出现两次：第一笔保留，之后的每一笔标记。",
        "删除重复的申领行，只保留一笔。",
        "Remove the duplicate rows; keep one claim.",
    ),
    "S307": (
        "板块或项目的年度补贴资金总额已用完：先计台账中同年度的金额，再按来源行顺序累计本批次，"
        "累计超过预算的申领标记。",
        "与财政部门确认预算余额；超出部分暂缓拨付或调整预算。",
        "Confirm the remaining budget; defer the claims past it or adjust the budget.",
    ),
    "S308": (
        "同一证书编号出现在多笔申领上（本批次或台账），同一人同一班级的重复记录除外。",
        "核验证书真伪和持证人；一证多用的申领不予补贴。",
        "Verify the certificate and its holder; a certificate used twice is not paid twice.",
    ),
    "S309": (
        "本批次的申领与台账中已被最终退回的申领为同一学员、同一项目、同一班级。",
        "核对上次退回的原因（证据中的规则代码与复核说明）是否已纠正；未纠正的再次退回。",
        "Check that what the claim was returned for (codes and note in the evidence) has "
        "been put right; if not, return it again.",
    ),
    "T201": (
        "总课时（线上 + 线下）低于项目制培训的最低课时。",
        "核对课程表和考勤；课时不足的不予补贴。",
        "Check the timetable and attendance; training below the minimum is not paid.",
    ),
    "T202": (
        "线上线下融合培训的线上课时超过总课时的规定比例（纯线上培训由 T203 判断）。",
        "按规定比例核减线上课时，或请机构说明。",
        "Reduce the online hours to the share, or ask the provider to explain.",
    ),
    "T203": (
        "纯线上培训，但项目在目录中未通过纯线上评估。",
        "核对目录的纯线上评估结果；未通过的不予补贴。",
        "Check the catalogue's approval; pure online training without it is not paid.",
    ),
    "T204": (
        "考核未通过，或没有考核结果（考核结果为空是 T204，不是 D001）。",
        "请机构提供考核成绩；未通过考核的不予补贴。",
        "Ask for the assessment result; trainees who did not pass are not paid.",
    ),
    "T205": (
        "考勤认定的线上或线下课时比申领课时少，超过容差（按人和班级、分方式汇总；"
        "一种方式多出的课时不抵另一种的不足）。提供考勤文件而某笔申领无任何考勤记录时也标记。",
        "调取考勤原始记录；按考勤认定课时核减。",
        "Get the raw attendance; pay for the hours it credits.",
    ),
    "T206": (
        "同一学员在一个班级的考勤与另一班级的考勤时间重叠（首尾相接不算重叠）。",
        "核对两个班级的签到记录：一人不能同时在两处上课。",
        "Check both classes' sign-ins: nobody attends two classes at once.",
    ),
    "T207": (
        "考勤的签到或签退日期在班级开班日期至结业日期之外。",
        "核对班级起止日期和考勤记录，剔除期外课时。",
        "Check the class dates and the records; hours outside them do not count.",
    ),
    "T208": (
        "线上课时 + 线下课时与总课时列不一致（有总课时列时）。",
        "请机构核对课时并改正。",
        "Ask the provider to reconcile the hours.",
    ),
    "T209": (
        "同一学员一个自然日的线上学习课时超过每日上限（按签到日期，跨班级合计；"
        "正好等于上限不标记）：疑似挂机。",
        "调取线上学习平台的日志，核实学习行为。",
        "Get the platform's logs and check the study was real (idle sessions).",
    ),
    "T210": (
        "同一设备在短时间窗口内有超过规定人数的不同学员签到：疑似代签到（仅线上记录）。",
        "调取该设备的签到日志和人脸核验记录，逐一核实学员。",
        "Get the device's sign-in log and face checks; verify each trainee.",
    ),
}
