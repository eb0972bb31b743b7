<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Anomaly</name>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="140"/>
        <source>Missing check-out</source>
        <translation>缺签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="141"/>
        <source>Missing check-in</source>
        <translation>缺签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="142"/>
        <source>Walk-in</source>
        <translation>临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="143"/>
        <source>Expired document</source>
        <translation>证件过期</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="144"/>
        <source>Method not accepted</source>
        <translation>考勤方式不符</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="145"/>
        <source>Void record</source>
        <translation>作废记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="146"/>
        <source>Attendee dispute</source>
        <translation>学员申诉</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="150"/>
        <source>Add the check-out</source>
        <translation>补录签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="151"/>
        <source>Add the check-in</source>
        <translation>补录签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="152"/>
        <source>Void the record</source>
        <translation>作废该记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="153"/>
        <source>Merge into the roster entry</source>
        <translation>合并到名单中的学员</translation>
    </message>
</context>
<context>
    <name>Consent</name>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="26"/>
        <source>Face check-in needs your separate consent. We keep numbers computed from your face (a template), not a photo; each face check-in also keeps a small face picture with the record for the organizer&apos;s review of disputes. Used only for check-in and check-out at this project (%1), deleted when the project&apos;s retention period ends. To withdraw, tell staff at any time: the template is deleted at once. Declining changes nothing: your check-in stands and your card and code keep working.</source>
        <translation>开通刷脸签到需要您单独同意。保存什么：由您面部计算出的特征数值（模板），不保存照片；之后每次刷脸签到，会随签到记录保存一张小的面部截图，供主办方核查争议。用途：只用于本项目（%1）的签到和签退。保存多久：到本项目数据保留期结束时删除。如何撤回：随时告诉工作人员，模板立即删除。不同意不影响本次签到，您可以继续刷身份证或扫码。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="36"/>
        <source>Enable face check-in?</source>
        <translation>开通刷脸签到？</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="37"/>
        <source>Staff: is the person at the camera the cardholder?</source>
        <translation>工作人员确认：摄像头前是持卡人本人？</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="38"/>
        <source>Look at the camera and hold still</source>
        <translation>请看向摄像头，保持不动</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="41"/>
        <source>Face check-in is on</source>
        <translation>已开通刷脸签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="42"/>
        <source>Not enabled. Your check-in stands</source>
        <translation>未开通。您的签到有效</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="43"/>
        <source>No clear face captured: keep using your card</source>
        <translation>未能采集到清晰的面部，请继续刷卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="44"/>
        <source>This face is enrolled under another name — please see staff</source>
        <translation>此面孔已登记在他人名下，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="47"/>
        <source>Face check-in not enabled: keep using your card</source>
        <translation>未能开通刷脸签到，请继续刷卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="122"/>
        <source>Agree</source>
        <translation>同意</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="123"/>
        <source>Decline</source>
        <translation>不同意</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="124"/>
        <source>Yes, capture</source>
        <translation>是本人，开始采集</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="125"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>DemoCaption</name>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="19"/>
        <source>Staff: 周敏 signs in by name. Records staff make carry the member&apos;s id.</source>
        <translation>工作人员：周敏实名登录。工作人员录入的记录都带有其工号。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="23"/>
        <source>ID card: 张伟 taps his card and is checked in.</source>
        <translation>身份证：张伟刷卡，签到成功。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="24"/>
        <source>ID card: 张伟 taps again minutes later. A repeat: nothing new is recorded.</source>
        <translation>身份证：张伟几分钟后再次刷卡。属于重复签到，不产生新记录。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="27"/>
        <source>Scanner: 王芳&apos;s printed ticket, signed by the platform.</source>
        <translation>扫码枪：王芳出示平台签发的纸质签到码。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="30"/>
        <source>Camera: 李娜 holds up the rotating code on her phone.</source>
        <translation>摄像头：李娜出示手机上的动态二维码。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="33"/>
        <source>Scanner: a screenshot of 李娜&apos;s code, sent to an absent colleague. Each code counts once.</source>
        <translation>扫码枪：李娜的二维码截图被转发给未到场的同事。每个码只能使用一次。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="37"/>
        <source>Scanner: a ticket made outside the platform. Refused, and kept for the audit.</source>
        <translation>扫码枪：一张非平台签发的签到码。已拒绝，并留存备查。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="41"/>
        <source>ID card: 陈静&apos;s card has expired. Admitted with a flag, on purpose: the organizer reviews it.</source>
        <translation>身份证：陈静的证件已过期。按设计予以签到并加标记，由主办方审核。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="46"/>
        <source>Staff: 刘洋&apos;s card will not read. Found in the roster and checked in by hand, with the reason.</source>
        <translation>工作人员：刘洋的证件无法读取。在名单中查到后手工签到，并注明原因。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="51"/>
        <source>Staff: 孙丽 is not on the roster. The walk-in form; her record is flagged until the organizer checks it.</source>
        <translation>工作人员：孙丽不在名单中。填写现场登记表；其记录带标记，待主办方核实。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="56"/>
        <source>ID card: 王芳 taps while asking a question. In auto mode that is a check-out.</source>
        <translation>身份证：王芳咨询问题时误刷了卡。自动模式下这算作签退。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="60"/>
        <source>Staff undo the mistaken tap. Nothing is deleted: a signed void record undoes it.</source>
        <translation>工作人员撤销误刷。不删除任何记录：以一条签名的作废记录予以撤销。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="64"/>
        <source>Lunch: the platform stops. The desk keeps answering on its own.</source>
        <translation>午间：平台停止服务。签到台继续独立工作。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="67"/>
        <source>ID card: 张伟 goes out for lunch. Stored and answered at once, uploaded later.</source>
        <translation>身份证：张伟外出午餐。记录即时保存并应答，稍后上传。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="71"/>
        <source>Scanner: 刘洋, the morning&apos;s speaker, leaves. The pending count grows.</source>
        <translation>扫码枪：上午的讲者刘洋离场。待上传记录数增加。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="74"/>
        <source>ID card: 杨磊 taps his card; the desk offers face check-in (optional, separate consent).</source>
        <translation>身份证：杨磊刷卡；签到台提供人脸签到（自愿，需单独同意）。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="78"/>
        <source>Camera: 杨磊 accepts, staff confirm him, and his face is enrolled for this project only.</source>
        <translation>摄像头：杨磊同意，工作人员确认身份，其人脸仅为本项目登记。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="82"/>
        <source>ID card: 张伟 is back from lunch. The platform is still down.</source>
        <translation>身份证：张伟午餐归来。平台仍未恢复。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="85"/>
        <source>The platform is back. The desk uploads what it kept, in order, and the platform counts the desk complete.</source>
        <translation>平台恢复。签到台按顺序上传暂存的记录，平台确认该签到台数据完整。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="90"/>
        <source>Camera: a printed photo of 杨磊. It cannot follow the liveness challenge: refused, and nobody is named.</source>
        <translation>摄像头：一张杨磊的打印照片。照片无法完成活体检测动作：已拒绝，且不显示任何人的姓名。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="95"/>
        <source>Staff: 孙丽, the walk-in, leaves; staff check her out.</source>
        <translation>工作人员：现场登记的孙丽离场，由工作人员为其签退。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="98"/>
        <source>ID card: 张伟 checks out and sees his hours and receipt code.</source>
        <translation>身份证：张伟签退，看到本人学时和回执码。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="101"/>
        <source>Staff: 张伟 disputes his time. His words and receipt are kept; the records stay.</source>
        <translation>工作人员：张伟对其学时提出异议。保留其原话和回执；原记录不变。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="105"/>
        <source>Camera: 陈静 checks out with the code on her phone.</source>
        <translation>摄像头：陈静用手机上的二维码签退。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="108"/>
        <source>Camera: 王芳 checks out with the ticket on her phone.</source>
        <translation>摄像头：王芳用手机上的签到码签退。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="111"/>
        <source>Camera: 杨磊 checks out by face alone, turning his head as asked; his hours and receipt.</source>
        <translation>摄像头：杨磊仅凭人脸签退，按提示转头；显示其学时和回执。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="115"/>
        <source>The organizer opens the workspace on the same data.</source>
        <translation>主办方在同一份数据上打开工作台。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="118"/>
        <source>The organizer resolves one anomaly with an audited correction (who, when, why).</source>
        <translation>主办方以一条可审计的更正（何人、何时、何因）处理一项异常。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="122"/>
        <source>The organizer imports the assessments.</source>
        <translation>主办方导入考核结果。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="123"/>
        <source>The credits, under the province&apos;s rules, each figure with its source.</source>
        <translation>按本省规定计算的学分，每个数字均注明依据。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="126"/>
        <source>The organizer writes the platform&apos;s xlsx and the archive PDF.</source>
        <translation>主办方导出平台所需的 xlsx 和归档 PDF。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/captions.py" line="129"/>
        <source>The organizer submits; the platform&apos;s submission number is the receipt.</source>
        <translation>主办方提交；平台的提交编号即为回执。</translation>
    </message>
</context>
<context>
    <name>DemoPanel</name>
    <message>
        <location filename="../../kiosk/ui/demo/panel.py" line="17"/>
        <source>Demo controls</source>
        <translation>演示控制</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/panel.py" line="18"/>
        <source>Tap their ID card</source>
        <translation>刷身份证</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/panel.py" line="19"/>
        <source>Show their phone code</source>
        <translation>出示手机二维码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/panel.py" line="20"/>
        <source>Step in front of the camera</source>
        <translation>走到摄像头前</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/panel.py" line="21"/>
        <source>Step away</source>
        <translation>离开摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/demo/panel.py" line="22"/>
        <source>Who is at the desk</source>
        <translation>谁在签到台前</translation>
    </message>
</context>
<context>
    <name>Desk</name>
    <message>
        <location filename="../../kiosk/ui/answer_card.py" line="119"/>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/answer_card.py" line="121"/>
        <source>Tap your ID card, scan your code, or look at the camera</source>
        <translation>请刷身份证、扫描二维码或看向摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/answer_card.py" line="184"/>
        <source>%n second(s) left</source>
        <translation>剩余 %n 秒</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/camera_view.py" line="129"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk_window.py" line="207"/>
        <source>CME check-in · %1 · desk %2</source>
        <translation>继续医学教育签到 · %1 · %2 台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="79"/>
        <source>Now: %1</source>
        <translation>当前：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="82"/>
        <location filename="../../kiosk/ui/header.py" line="98"/>
        <source>No session is on now</source>
        <translation>当前没有进行中的课程</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="85"/>
        <source>Next: %1</source>
        <translation>下一场：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="88"/>
        <source>No more sessions today</source>
        <translation>今日已无后续课程</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="92"/>
        <source>Staff</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="93"/>
        <source>Desk %1</source>
        <translation>%1 台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_strip.py" line="45"/>
        <source>Arrived %1 · Left %2 · Expected %3</source>
        <translation>已到 %1 · 已离开 %2 · 应到 %3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_strip.py" line="77"/>
        <source>sync: not configured</source>
        <translation>同步：未配置</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="165"/>
        <source>Last record undone (a signed void record)</source>
        <translation>已撤销最后一条记录（已签名的撤销记录）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="166"/>
        <source>Dispute recorded for the organizer</source>
        <translation>申诉已记录，将交主办方核查</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="167"/>
        <source>Queued to upload again</source>
        <translation>已重新排队上传</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="168"/>
        <source>Dismissed, with the reason kept</source>
        <translation>已忽略并记录原因</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="172"/>
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="173"/>
        <source>Check-out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="174"/>
        <source>Auto in/out</source>
        <translation>自动签到/签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="238"/>
        <source>Checked out</source>
        <translation>签退成功</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="240"/>
        <source>Checked in</source>
        <translation>签到成功</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="242"/>
        <source>no check-in found: flagged for the organizer</source>
        <translation>无签到记录，已标记供主办方核查</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="244"/>
        <source>not on the roster: registered provisionally</source>
        <translation>未在名单，临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="246"/>
        <source>document expired: flagged</source>
        <translation>证件已过期，已标记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="255"/>
        <source>Already checked in at %1 (desk %2)</source>
        <translation>已于 %1 在 %2 台签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="257"/>
        <source>Already checked out at %1 (desk %2)</source>
        <translation>已于 %1 在 %2 台签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/receipt_view.py" line="36"/>
        <source>%1: %2 h</source>
        <translation>%1：%2 小时</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/receipt_view.py" line="41"/>
        <source>Today counted: %1 h</source>
        <translation>今日计入 %1 小时</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <location filename="../../kiosk/ui/staff_devices.py" line="74"/>
        <source>reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_devices.py" line="77"/>
        <source>Last error at %1: %2</source>
        <translation>最近一次错误（%1）：%2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_devices.py" line="102"/>
        <source>This device cannot be reconnected now</source>
        <translation>此设备现在无法重新连接</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_devices.py" line="106"/>
        <source>Reconnecting %1…</source>
        <translation>正在重新连接%1…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_devices.py" line="113"/>
        <source>Reconnect</source>
        <translation>重新连接</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="123"/>
        <location filename="../../kiosk/ui/texts.py" line="130"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="124"/>
        <location filename="../../kiosk/ui/texts.py" line="131"/>
        <source>opening %1</source>
        <translation>正在打开 %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="125"/>
        <source>ready on %1</source>
        <translation>就绪（%1）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="126"/>
        <source>no reader at %1; retrying</source>
        <translation>%1 未找到读卡器，正在重试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="127"/>
        <location filename="../../kiosk/ui/texts.py" line="140"/>
        <source>%1 went away; reconnecting</source>
        <translation>%1 连接断开，正在重连</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="128"/>
        <source>reader fault at %1; retrying</source>
        <translation>%1 读卡器故障，正在重试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="129"/>
        <source>a library the reader needs is missing</source>
        <translation>本机缺少读卡器所需的软件库</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="132"/>
        <source>capturing from %1</source>
        <translation>正在采集（%1）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="133"/>
        <source>no camera at %1; retrying</source>
        <translation>%1 未找到摄像头，正在重试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="134"/>
        <source>%1 stopped delivering frames; reconnecting</source>
        <translation>%1 画面中断，正在重连</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="137"/>
        <source>the camera cannot be used (see the log)</source>
        <translation>摄像头不可用（见日志）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="138"/>
        <source>reading %1</source>
        <translation>正在读取 %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="139"/>
        <source>no scanner at %1; retrying</source>
        <translation>%1 未找到扫码枪，正在重试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="141"/>
        <source>a library the scanner needs is missing</source>
        <translation>本机缺少扫码枪所需的软件库</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="142"/>
        <source>QR decoder %1 on the camera</source>
        <translation>二维码识别就绪（%1）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="143"/>
        <source>no QR decoder: camera QR scanning is off</source>
        <translation>二维码识别库不可用，摄像头扫码已关闭</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="144"/>
        <source>face models loading…</source>
        <translation>人脸模型加载中…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="145"/>
        <source>face check-in ready, %1 enrolled</source>
        <translation>人脸签到可用，已登记 %1 人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="146"/>
        <source>face check-in is off (see the log)</source>
        <translation>人脸签到已停用（见日志）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="147"/>
        <source>face check-in off: the data was purged</source>
        <translation>本项目数据已到期删除，人脸签到已停用</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="148"/>
        <source>face check-in needs the camera enabled</source>
        <translation>人脸签到需要启用摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="149"/>
        <source>face check-in is not a method of this project</source>
        <translation>本项目不使用人脸签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="152"/>
        <source>sound ready (%1)</source>
        <translation>声音就绪（%1）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="153"/>
        <source>no sound output (see the log)</source>
        <translation>无法播放声音（见日志）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="154"/>
        <source>%1 tone files missing or unreadable</source>
        <translation>缺少 %1 个提示音文件</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="155"/>
        <source>listening for a keyboard-wedge scanner</source>
        <translation>正在接收键盘模式扫码枪</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="156"/>
        <source>failed to start (%1); see the log</source>
        <translation>启动失败（%1），见日志</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="157"/>
        <source>reconnect failed (%1); see the log</source>
        <translation>重连失败（%1），见日志</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="158"/>
        <source>the previous worker has not ended yet: reconnect refused, try again shortly</source>
        <translation>上一个工作线程尚未结束，暂不能重连，请稍后再试</translation>
    </message>
</context>
<context>
    <name>Face</name>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="180"/>
        <source>Blink your eyes</source>
        <translation>请眨眨眼</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="181"/>
        <source>Turn your head to the left</source>
        <translation>请向左转头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="182"/>
        <source>Turn your head to the right</source>
        <translation>请向右转头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="183"/>
        <source>Look at the camera to confirm it is you</source>
        <translation>请看摄像头核验身份</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="184"/>
        <source>Please come closer</source>
        <translation>请靠近一点</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="185"/>
        <source>Please hold still</source>
        <translation>请保持不动</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="186"/>
        <source>Please face the camera</source>
        <translation>请正对摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="187"/>
        <source>Not recognised — tap your ID card or scan your code</source>
        <translation>未能识别，请刷身份证或扫码</translation>
    </message>
</context>
<context>
    <name>Flag</name>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="120"/>
        <source>missing check-out</source>
        <translation>缺签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="121"/>
        <source>check-out to confirm</source>
        <translation>签退待确认</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="122"/>
        <source>missing check-in</source>
        <translation>缺签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="123"/>
        <source>desks&apos; records merged</source>
        <translation>多台记录已合并</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="124"/>
        <source>walk-in</source>
        <translation>临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="125"/>
        <source>expired document</source>
        <translation>证件过期</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="126"/>
        <source>record outside the days</source>
        <translation>非培训日记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="127"/>
        <source>no time in a session</source>
        <translation>不在课时内</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="128"/>
        <source>method not accepted</source>
        <translation>考勤方式不符</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="129"/>
        <source>speaker not scheduled</source>
        <translation>授课未排课</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="130"/>
        <source>results not imported</source>
        <translation>考核未导入</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="131"/>
        <source>no result</source>
        <translation>缺考</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="132"/>
        <source>failed</source>
        <translation>考核不合格</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="133"/>
        <source>project cap</source>
        <translation>达项目上限</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="134"/>
        <source>yearly cap</source>
        <translation>达年度上限</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="135"/>
        <source>absent</source>
        <translation>未签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="136"/>
        <source>corrected by the organizer (manual)</source>
        <translation>经组织者更正（人工）</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../../kiosk/ui/keypad.py" line="59"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>Organizer</name>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="104"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="23"/>
        <source>Anomalies</source>
        <translation>异常处理</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="105"/>
        <source>Resolution</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="106"/>
        <location filename="../../kiosk/ui/organizer/staff.py" line="48"/>
        <source>Time (desk clock)</source>
        <translation>时间（签到台时钟）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="107"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="108"/>
        <source>Roster entry&apos;s ID number</source>
        <translation>名单中学员的证件号</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="109"/>
        <source>Corrected by</source>
        <translation>更正人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="110"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="111"/>
        <source>Resolve</source>
        <translation>处理</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="143"/>
        <source>Records the platform refused or does not hold: %1</source>
        <translation>平台拒收或未收到的记录：%1 条</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="146"/>
        <source>The platform holds every record the desks reported.</source>
        <translation>各签到台上报的记录平台均已收到。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="171"/>
        <source>Choose an anomaly to resolve it.</source>
        <translation>请选择要处理的异常。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="174"/>
        <source>Resolved by %1 at %2: %3</source>
        <translation>已由 %1 于 %2 处理：%3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="180"/>
        <source>%1 (desk %2): «%3» %4</source>
        <translation>%1（签到台 %2）：“%3” %4</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/anomalies.py" line="239"/>
        <source>Say who corrects it and why (audited).</source>
        <translation>请填写更正人和原因（将记入审计）。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="75"/>
        <location filename="../../kiosk/ui/organizer/submit.py" line="79"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="24"/>
        <source>Assessment</source>
        <translation>考核</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="76"/>
        <source>Results file (xlsx or CSV)</source>
        <translation>考核结果文件（xlsx 或 CSV）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="77"/>
        <source>Pass mark</source>
        <translation>及格分</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="78"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="79"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="80"/>
        <source>Passed</source>
        <translation>合格</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="81"/>
        <source>Failed</source>
        <translation>不合格</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="86"/>
        <source>No result yet: %1</source>
        <translation>尚无考核结果：%1 人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="113"/>
        <source>The pass mark is not a number</source>
        <translation>及格分不是数字</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/assessment.py" line="119"/>
        <source>Results file</source>
        <translation>考核结果文件</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="60"/>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="61"/>
        <source>IC card</source>
        <translation>IC卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="62"/>
        <source>QR code</source>
        <translation>二维码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="63"/>
        <source>face</source>
        <translation>人脸识别</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="64"/>
        <source>manual</source>
        <translation>人工登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="40"/>
        <source>speaker</source>
        <translation>主讲人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="41"/>
        <source>participant</source>
        <translation>学员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="76"/>
        <location filename="../../kiosk/ui/organizer/credits.py" line="45"/>
        <location filename="../../kiosk/ui/organizer/staff.py" line="42"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="76"/>
        <location filename="../../kiosk/ui/organizer/credits.py" line="45"/>
        <source>ID number</source>
        <translation>证件号</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="77"/>
        <location filename="../../kiosk/ui/organizer/staff.py" line="43"/>
        <location filename="../../kiosk/ui/organizer/submit.py" line="78"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="78"/>
        <location filename="../../kiosk/ui/organizer/submit.py" line="79"/>
        <source>Hours</source>
        <translation>学时</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="78"/>
        <location filename="../../kiosk/ui/organizer/credits.py" line="39"/>
        <location filename="../../kiosk/ui/organizer/credits.py" line="46"/>
        <location filename="../../kiosk/ui/organizer/submit.py" line="80"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="25"/>
        <source>Credits</source>
        <translation>学分</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="79"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="177"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="22"/>
        <source>Attendance</source>
        <translation>考勤</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="179"/>
        <source>Search: name, pinyin initials (zw) or the ID number&apos;s end</source>
        <translation>搜索：姓名、拼音首字母（如 zw）或证件号末几位</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="184"/>
        <source>All flags</source>
        <translation>全部标记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/attendance.py" line="212"/>
        <source>%1 of %2 attendees shown</source>
        <translation>显示 %1 / %2 名学员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="46"/>
        <source>Provisional</source>
        <translation>暂定</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="47"/>
        <source>Left under the cap before this project</source>
        <translation>本项目之前年度上限剩余</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="48"/>
        <source>Cut by the cap</source>
        <translation>因上限扣减</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="59"/>
        <source>Credit year %1 (%2 to %3); %4 credits a year required (%5)</source>
        <translation>学分年度 %1（%2 至 %3）；每年须获 %4 学分（%5）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="65"/>
        <source>Yearly cap across projects: unknown offline</source>
        <translation>跨项目年度上限：离线时未知</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="67"/>
        <source>No yearly cap for this project&apos;s form</source>
        <translation>本项目形式无年度上限</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="69"/>
        <source>Yearly cap: %1 credits (%2), applied by the platform in order of activity date</source>
        <translation>年度上限：%1 学分（%2），由平台按活动日期顺序计算</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/credits.py" line="76"/>
        <source>provisional</source>
        <translation>暂定</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/export.py" line="50"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="26"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/export.py" line="51"/>
        <source>Folder to write into</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/export.py" line="52"/>
        <source>The xlsx is for the platform: one row per person and session, with roles, times and a sheet of corrections. The PDF is the archive sheet to sign and seal: ID numbers are masked unless full numbers are asked for, and the sheet says which.</source>
        <translation>xlsx 供上传平台：每人每场次一行，含角色、时间和更正记录表。PDF 为存档签到表，供签字盖章：证件号默认隐去部分数字，需要时可显示完整号码，表上注明所用方式。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/export.py" line="57"/>
        <source>Write the xlsx</source>
        <translation>导出 xlsx</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/export.py" line="58"/>
        <source>Write the PDF archive sheet</source>
        <translation>导出 PDF 存档表</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/export.py" line="59"/>
        <source>Full ID numbers on the PDF</source>
        <translation>PDF 显示完整证件号</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="60"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="21"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="64"/>
        <source>opens %1; deadline %2</source>
        <translation>%1 开放；截止 %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="67"/>
        <source>the deadline %1 has passed</source>
        <translation>截止日期 %1 已过</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="70"/>
        <source>deadline %1: today</source>
        <translation>截止 %1：今天截止</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="72"/>
        <source>deadline %1: %2 day(s) left</source>
        <translation>截止 %1：还剩 %2 天</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="74"/>
        <source>Submission window: %1 — %2</source>
        <translation>提交窗口：%1 — %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="77"/>
        <source>submitted %1</source>
        <translation>已于 %1 提交</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="82"/>
        <source>What still blocks submission:</source>
        <translation>尚待解决才能提交：</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="84"/>
        <source>nothing: the report can be submitted</source>
        <translation>无：可以提交</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="97"/>
        <source>Hours attended (mean) against session length</source>
        <translation>平均出勤学时与场次时长</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="102"/>
        <source>Credits: people per amount</source>
        <translation>学分分布（人数）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="108"/>
        <source>Desks:</source>
        <translation>签到台：</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="110"/>
        <source>unknown offline: refresh when online</source>
        <translation>离线时未知：联网后刷新</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="115"/>
        <source>complete</source>
        <translation>已完整</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="117"/>
        <source>has never reported</source>
        <translation>从未上报</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="119"/>
        <source>missing %1</source>
        <translation>缺 %1 条</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="130"/>
        <source>Arrivals per 10 min (%1)</source>
        <translation>每 10 分钟签到人数（%1）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/overview.py" line="134"/>
        <source>People present (%1)</source>
        <translation>在场人数（%1）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="69"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="27"/>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="70"/>
        <source>Submit to the platform…</source>
        <translation>提交到平台…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="71"/>
        <source>Yes, submit</source>
        <translation>确认提交</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="72"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="78"/>
        <source>Reference</source>
        <translation>学员编号</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="80"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="88"/>
        <source>Window: %1 · deadline %2 · %3 lines to send</source>
        <translation>提交窗口：%1 · 截止 %2 · 待提交 %3 行</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="93"/>
        <source>Ready: nothing stops the submission.</source>
        <translation>已就绪：可以提交。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/submit.py" line="107"/>
        <source>Submit %1 lines for project %2 now? The deadline is the end of %3; a later submission inside the window replaces this one.</source>
        <translation>现在提交项目 %2 的 %1 行？截止时间为 %3 当天结束；窗口内再次提交将替换本次提交。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="32"/>
        <source>Desk staff</source>
        <translation>签到台工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="33"/>
        <source>Desk lead</source>
        <translation>签到台负责人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="37"/>
        <source>void</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="38"/>
        <source>dispute</source>
        <translation>申诉</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="39"/>
        <source>manual record</source>
        <translation>人工登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="40"/>
        <source>failed attempt dismissed</source>
        <translation>忽略失败记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="45"/>
        <source>the %1 at %2</source>
        <translation>%2 的%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="46"/>
        <source>record %1 (not pulled)</source>
        <translation>记录 %1（未拉取）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="47"/>
        <source>no receipt shown</source>
        <translation>未出示回执</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="48"/>
        <source>receipt unreadable</source>
        <translation>回执无法读取</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="49"/>
        <source>receipt of an unknown desk %1</source>
        <translation>未知签到机 %1 的回执</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="50"/>
        <source>receipt NOT genuine (forged or altered)</source>
        <translation>回执不真实（伪造或被改动）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="51"/>
        <source>genuine receipt: %1 h counted at check-out</source>
        <translation>回执真实：签退时计 %1 小时</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="55"/>
        <source>check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="56"/>
        <source>check-out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="103"/>
        <source>refused by the platform: the desk had been retired or revoked</source>
        <translation>平台拒收：该签到台已停用或已吊销</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="107"/>
        <source>given up by the desk (it sent a signed refusal stub)</source>
        <translation>签到台放弃上传（已发送签名的拒收凭据）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="108"/>
        <source>Desk %1, record %2: %3 (%4)</source>
        <translation>签到台 %1，记录 %2：%3（%4）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="113"/>
        <source>Not open yet</source>
        <translation>尚未开放</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="114"/>
        <source>Open</source>
        <translation>已开放</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="115"/>
        <source>Closing</source>
        <translation>即将关闭</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="116"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="226"/>
        <source>organizer %1 (manual)</source>
        <translation>组织者 %1（人工）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="227"/>
        <source>desk %1</source>
        <translation>签到台 %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="144"/>
        <source>Connecting to the platform…</source>
        <translation>正在连接平台…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="165"/>
        <source>Submitting…</source>
        <translation>正在提交…</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="181"/>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="183"/>
        <source>offline: the last pulled data</source>
        <translation>离线：显示最近一次同步的数据</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="184"/>
        <source>Data as of %1 (platform time) · %2</source>
        <translation>数据截至 %1（平台时间）· %2</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="212"/>
        <source>CME organizer&apos;s workspace</source>
        <translation>继续医学教育组织者工作台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="213"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/window.py" line="215"/>
        <source>Computing the review of the new data… (a few seconds)</source>
        <translation>正在根据新数据重新计算考勤审核……（需要几秒钟）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="42"/>
        <source>Staff id</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="48"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="49"/>
        <source>Desk</source>
        <translation>签到台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="49"/>
        <location filename="../../kiosk/ui/organizer/staff.py" line="55"/>
        <location filename="../../kiosk/ui/organizer/texts.py" line="28"/>
        <source>Staff</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="50"/>
        <source>Attendee</source>
        <translation>学员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="50"/>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="66"/>
        <source>Named desk staff: %1</source>
        <translation>签到台实名工作人员：%1 人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="70"/>
        <source>No named staff: the desks use the shared PIN only</source>
        <translation>未登记实名工作人员：各签到台仅使用共用 PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/staff.py" line="73"/>
        <source>The desks&apos; voids, disputes and manual records: %1</source>
        <translation>签到台的撤销、申诉和人工登记记录：%1 条</translation>
    </message>
</context>
<context>
    <name>Pin</name>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="50"/>
        <source>Staff PIN</source>
        <translation>工作人员 PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="51"/>
        <source>Enter your staff PIN</source>
        <translation>请输入工作人员 PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="52"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="71"/>
        <source>Too many wrong PINs: wait %n second(s)</source>
        <translation>PIN 错误次数过多，请 %n 秒后再试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="74"/>
        <source>Wrong PIN</source>
        <translation>PIN 错误</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="32"/>
        <source>This project does not accept this method</source>
        <translation>本项目不接受此签到方式</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="33"/>
        <source>Card not registered — please see staff</source>
        <translation>卡片未登记，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="34"/>
        <source>Not on the roster — please see staff</source>
        <translation>未找到报名信息，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="35"/>
        <source>Today is not a day of this project</source>
        <translation>今天不是本项目的培训日</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="36"/>
        <source>Document expired — please see staff</source>
        <translation>证件已过期，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="37"/>
        <source>Storage full: check-in paused — please call staff</source>
        <translation>存储空间不足，暂停签到，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="38"/>
        <source>Something went wrong — please call staff</source>
        <translation>出现错误，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="39"/>
        <source>The desk is closing — try again in a moment</source>
        <translation>签到台正在关闭，请稍后再试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="40"/>
        <source>This project&apos;s roster and face data were deleted at the end of their retention</source>
        <translation>本项目的名单与人脸数据已按保留期限删除</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="44"/>
        <location filename="../../kiosk/ui/texts.py" line="45"/>
        <location filename="../../kiosk/ui/texts.py" line="46"/>
        <source>This code cannot be checked here</source>
        <translation>本机无法核验此二维码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="47"/>
        <source>Empty code — scan again</source>
        <translation>二维码为空，请重扫</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="48"/>
        <location filename="../../kiosk/ui/texts.py" line="49"/>
        <location filename="../../kiosk/ui/texts.py" line="50"/>
        <location filename="../../kiosk/ui/texts.py" line="51"/>
        <source>Not a check-in code</source>
        <translation>不是签到二维码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="52"/>
        <source>Code from a newer version — see staff</source>
        <translation>二维码版本较新，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="53"/>
        <source>Damaged code — scan again or see staff</source>
        <translation>二维码损坏，请重扫或联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="54"/>
        <source>This code is for another project</source>
        <translation>此二维码属于其他项目</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="55"/>
        <source>This desk has no ticket keys yet — see staff</source>
        <translation>本机尚无验票密钥，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="56"/>
        <source>Ticket signed with an unknown key — see staff</source>
        <translation>电子票签名密钥未知，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="57"/>
        <source>Invalid ticket — please see staff</source>
        <translation>电子票无效，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="58"/>
        <source>Invalid code — please see staff</source>
        <translation>二维码无效，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="59"/>
        <source>Code expired — refresh it and scan again</source>
        <translation>二维码已过期，请刷新后再扫</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="60"/>
        <source>Code not valid yet — check the phone&apos;s clock</source>
        <translation>二维码尚未生效，请检查手机时间</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="61"/>
        <source>This code was already used — refresh it</source>
        <translation>此二维码已使用，请刷新</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="62"/>
        <source>Roster codes are not accepted here</source>
        <translation>本项目不接受名单码签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="64"/>
        <location filename="../../kiosk/ui/texts.py" line="65"/>
        <location filename="../../kiosk/ui/texts.py" line="66"/>
        <location filename="../../kiosk/ui/texts.py" line="68"/>
        <location filename="../../kiosk/ui/texts.py" line="69"/>
        <location filename="../../kiosk/ui/texts.py" line="73"/>
        <location filename="../../kiosk/ui/texts.py" line="76"/>
        <location filename="../../kiosk/ui/texts.py" line="81"/>
        <source>Card not read — place it again</source>
        <translation>未读到卡片，请重新放卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="67"/>
        <source>This card type is not supported</source>
        <translation>不支持此类卡片</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="70"/>
        <location filename="../../kiosk/ui/texts.py" line="71"/>
        <location filename="../../kiosk/ui/texts.py" line="72"/>
        <source>Reader problem — please see staff</source>
        <translation>读卡器故障，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="74"/>
        <source>The card&apos;s data is damaged — see staff</source>
        <translation>卡片数据损坏，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="75"/>
        <source>Invalid document number — please see staff</source>
        <translation>证件号码无效，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="77"/>
        <source>Resident ID cards go on the ID-card reader</source>
        <translation>身份证请在身份证读卡器上刷卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="80"/>
        <source>This card cannot be used here — see staff</source>
        <translation>此卡无法在此使用，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="82"/>
        <location filename="../../kiosk/ui/texts.py" line="83"/>
        <source>Card photo cannot be read here</source>
        <translation>本机无法读取证件照片</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="85"/>
        <source>Face does not match the card — please see staff</source>
        <translation>人脸与证件不符，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="86"/>
        <location filename="../../kiosk/ui/texts.py" line="87"/>
        <source>Could not verify it is you — see staff</source>
        <translation>未能核验身份，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="90"/>
        <source>Another card was tapped</source>
        <translation>已刷另一张卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="91"/>
        <location filename="../../kiosk/ui/texts.py" line="92"/>
        <location filename="../../kiosk/ui/texts.py" line="93"/>
        <location filename="../../kiosk/ui/texts.py" line="94"/>
        <source>Liveness check failed — see staff</source>
        <translation>活体检测未通过，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="96"/>
        <source>Sign in to staff mode first</source>
        <translation>请先登录工作人员账号</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="97"/>
        <source>A named staff member must sign in to record this</source>
        <translation>本项目需要实名工作人员登录后才能记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="100"/>
        <source>A reason is required</source>
        <translation>请填写原因</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="101"/>
        <source>Record the attendee&apos;s own words</source>
        <translation>请记录学员的原话</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="102"/>
        <source>This person has no record to undo</source>
        <translation>此人没有可撤销的记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="103"/>
        <source>The last record is another desk&apos;s: only that desk can undo it</source>
        <translation>最后一条记录来自其他签到台，只能在该台撤销</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="106"/>
        <source>Check digit wrong: the last character does not match — re-read the number</source>
        <translation>校验位错误：最后一位与号码不符，请对照证件重新输入</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="109"/>
        <source>Invalid document number, please check it</source>
        <translation>证件号码无效，请核对</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="110"/>
        <source>A name is required</source>
        <translation>请填写姓名</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="111"/>
        <source>Already on the roster: check them in by search</source>
        <translation>此证件已在名单中，请通过搜索人工签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="112"/>
        <source>The text contains characters that cannot be kept</source>
        <translation>文字中含有不可用的字符</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="113"/>
        <source>Wrong or expired code</source>
        <translation>验证码不正确或已过期</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="114"/>
        <source>This code was already used</source>
        <translation>此验证码已使用</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="115"/>
        <source>This person has no phone code</source>
        <translation>此人没有手机验证码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="116"/>
        <source>No such open dead letter</source>
        <translation>没有这条待处理的失败记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="117"/>
        <source>This one cannot be retried: dismiss it</source>
        <translation>此项无法重试，只能忽略</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="157"/>
        <source>The platform cannot be reached: submit when online</source>
        <translation>无法连接平台：请联网后提交</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="158"/>
        <source>The window is not open yet: it opens at %1, when the last session ends</source>
        <translation>提交窗口尚未开放：最后一场于 %1 结束后开放</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="161"/>
        <source>The deadline %1 has passed: the platform refuses late reports</source>
        <translation>截止日期 %1 已过：平台拒绝逾期提交</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="164"/>
        <source>%1 anomalies block the submission: resolve them</source>
        <translation>%1 项异常阻止提交：请先处理</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="165"/>
        <source>Desk %1 has not delivered all its records (missing %2)</source>
        <translation>签到台 %1 的记录尚未全部上传（缺 %2 条）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="166"/>
        <source>The report cannot be made: %1</source>
        <translation>无法生成报告：%1</translation>
    </message>
</context>
<context>
    <name>Result</name>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="170"/>
        <source>Offline: showing the last pulled data</source>
        <translation>离线：显示最近一次同步的数据</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="171"/>
        <source>Not done: %1</source>
        <translation>未完成：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="172"/>
        <source>The platform refused: %1</source>
        <translation>平台拒绝：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="173"/>
        <source>File problem: %1</source>
        <translation>文件问题：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="174"/>
        <source>Something went wrong (%1): see the log</source>
        <translation>出现错误（%1）：请查看日志</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="175"/>
        <source>Correction saved; it is sent with the submission</source>
        <translation>更正已保存，将随提交一并发送</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="176"/>
        <source>Correction saved and sent to the platform</source>
        <translation>更正已保存并发送到平台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="177"/>
        <source>%1: %2 bad line(s); nothing imported</source>
        <translation>%1：%2 行有误，未导入任何结果</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="178"/>
        <source>%1 results imported: %2 passed, %3 failed</source>
        <translation>已导入 %1 条结果：%2 人合格，%3 人不合格</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="179"/>
        <source>Marked as passed</source>
        <translation>已标记为合格</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="180"/>
        <source>Marked as failed</source>
        <translation>已标记为不合格</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="181"/>
        <source>Written: %1</source>
        <translation>已导出：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="182"/>
        <source>Written with full ID numbers: %1</source>
        <translation>已导出（完整证件号）：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="183"/>
        <source>Not submitted: see the reasons above</source>
        <translation>未提交：原因见上</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="184"/>
        <source>Not submitted: %1</source>
        <translation>未提交：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="185"/>
        <source>Submitted: receipt number %1</source>
        <translation>已提交：回执编号 %1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/organizer/texts.py" line="186"/>
        <source>Up to date with the platform</source>
        <translation>已与平台同步</translation>
    </message>
</context>
<context>
    <name>Sessions</name>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="38"/>
        <source>Not yet arrived</source>
        <translation>未到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="39"/>
        <source>In</source>
        <translation>已签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="40"/>
        <source>Out</source>
        <translation>已签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="41"/>
        <source>Flagged</source>
        <translation>有标记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="42"/>
        <source>Everyone</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="130"/>
        <source>Nobody in this list</source>
        <translation>名单为空</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="140"/>
        <source>Today&apos;s list</source>
        <translation>今日名单</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="143"/>
        <source>◀ Previous</source>
        <translation>◀ 上一页</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="144"/>
        <source>Next ▶</source>
        <translation>下一页 ▶</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sessions.py" line="145"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
</context>
<context>
    <name>Staff</name>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="245"/>
        <source>Volume: %1</source>
        <translation>音量：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="247"/>
        <source>muted</source>
        <translation>已静音</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="278"/>
        <source>staff</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="279"/>
        <source>Signed in: %1</source>
        <translation>已登录：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="298"/>
        <source>Desk mode</source>
        <translation>签到模式</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="299"/>
        <location filename="../../kiosk/ui/staff_search.py" line="138"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="300"/>
        <source>Walk-in</source>
        <translation>临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="301"/>
        <source>Today&apos;s list</source>
        <translation>今日名单</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_devices.py" line="112"/>
        <location filename="../../kiosk/ui/staff_panel.py" line="302"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="303"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="304"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="312"/>
        <source>Back to check-in</source>
        <translation>返回签到屏幕</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="313"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="314"/>
        <source>Leave kiosk mode (close the desk)</source>
        <translation>退出自助模式（关闭签到台）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="315"/>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="174"/>
        <source>walk-in</source>
        <translation>临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="181"/>
        <source>not yet arrived</source>
        <translation>未到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="182"/>
        <source>in</source>
        <translation>已到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="183"/>
        <source>out</source>
        <translation>已离开</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="186"/>
        <source>%1 · in %2 · out %3</source>
        <translation>%1 · 签到 %2 · 签退 %3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="192"/>
        <source>flagged</source>
        <translation>有标记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="200"/>
        <source>%1–%2 of %3</source>
        <translation>第 %1–%2 人，共 %3 人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="205"/>
        <source>%n found</source>
        <translation>找到 %n 人</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="42"/>
        <source>Ask them to look at the camera on the check-in screen.</source>
        <translation>请学员在签到屏幕前看向摄像头。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="43"/>
        <source>No enrolled face for this person: use another way.</source>
        <translation>此人未登记人脸，请改用其他方式。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="44"/>
        <source>Type the six digits shown on the attendee&apos;s phone.</source>
        <translation>请输入学员手机上显示的六位数字。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="45"/>
        <source>This person has no phone code.</source>
        <translation>此人没有手机验证码。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="46"/>
        <source>This project accepts only QR or face: a manual record is flagged.</source>
        <translation>本项目只认可扫码或人脸签到：人工记录将被标记，交主办方审核。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="265"/>
        <source>The phone code has six digits</source>
        <translation>手机验证码为六位数字</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="293"/>
        <source>Phone code</source>
        <translation>手机验证码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="294"/>
        <source>Face</source>
        <translation>人脸</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="295"/>
        <source>Check in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="296"/>
        <source>Check out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="297"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="298"/>
        <source>Dispute</source>
        <translation>申诉</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="302"/>
        <source>Back to results</source>
        <translation>返回结果</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="303"/>
        <source>Open the camera screen</source>
        <translation>打开摄像头画面</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="304"/>
        <source>Record check-in</source>
        <translation>记录签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="305"/>
        <source>Record check-out</source>
        <translation>记录签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="49"/>
        <source>Undo this person&apos;s last record at this desk (it is kept, voided).</source>
        <translation>撤销此人在本台的最后一条记录（记录保留，标记为已撤销）。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="307"/>
        <source>Undo the last record</source>
        <translation>撤销最后一条记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="308"/>
        <source>The attendee&apos;s own words:</source>
        <translation>学员的原话：</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="309"/>
        <source>e.g. I arrived at 8:50</source>
        <translation>例如：我 8:50 就到了</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="311"/>
        <source>Receipt text (optional: scan their receipt)</source>
        <translation>回执内容（可选：扫描学员的回执）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_person.py" line="313"/>
        <source>Record the dispute</source>
        <translation>记录申诉</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_search.py" line="111"/>
        <source>Nobody found</source>
        <translation>没有找到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_search.py" line="140"/>
        <source>Name, pinyin initials (zw), last 4 of ID, unit or reference</source>
        <translation>姓名、拼音首字母 (zw)、证件后四位、单位或编号</translation>
    </message>
</context>
<context>
    <name>StaffReason</name>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="107"/>
        <source>Card unreadable</source>
        <translation>读卡失败</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="108"/>
        <source>No card with them</source>
        <translation>未带证件</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="109"/>
        <source>Device fault</source>
        <translation>设备故障</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="110"/>
        <source>Mistaken tap</source>
        <translation>误刷</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="161"/>
        <source>Reason (required):</source>
        <translation>原因（必填）：</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_common.py" line="162"/>
        <source>Or in your own words</source>
        <translation>或自己填写</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="30"/>
        <source>record</source>
        <translation>签到记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="31"/>
        <source>refused attempt</source>
        <translation>被拒绝的尝试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="32"/>
        <source>walk-in</source>
        <translation>临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="88"/>
        <source>%1 at %2 — platform: %3</source>
        <translation>%1 · %2 · 平台：%3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="106"/>
        <source>%n record(s) the platform refused:</source>
        <translation>平台拒收了 %n 条记录：</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="109"/>
        <location filename="../../kiosk/ui/staff_sync.py" line="157"/>
        <source>No dead letters</source>
        <translation>没有失败记录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="151"/>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="152"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="153"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="154"/>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_sync.py" line="155"/>
        <source>Reason to dismiss</source>
        <translation>忽略的原因</translation>
    </message>
</context>
<context>
    <name>WalkIn</name>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="24"/>
        <source>Resident ID card</source>
        <translation>居民身份证</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="25"/>
        <source>HK/Macau/Taiwan residence permit</source>
        <translation>港澳台居民居住证</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="26"/>
        <source>Foreigner permanent residence (2023)</source>
        <translation>外国人永久居留身份证（2023 版）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="27"/>
        <source>Foreigner permanent residence (2017)</source>
        <translation>外国人永久居留身份证（2017 版）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="28"/>
        <source>Passport</source>
        <translation>护照</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="99"/>
        <source>%1 of 18 characters</source>
        <translation>已输入 %1/18 位</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="106"/>
        <source>Number valid</source>
        <translation>号码有效</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="134"/>
        <source>Register a walk-in</source>
        <translation>临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="137"/>
        <source>Document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="138"/>
        <source>Name (required)</source>
        <translation>姓名（必填）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="139"/>
        <source>Unit (hospital)</source>
        <translation>单位（医院）</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="140"/>
        <source>Department</source>
        <translation>科室</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="141"/>
        <source>Title</source>
        <translation>职称</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_walkin.py" line="142"/>
        <source>Register and check in</source>
        <translation>登记并签到</translation>
    </message>
</context>
</TS>
